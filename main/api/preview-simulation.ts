// "Save as simulation": a simulation seeded from a preview conversation. The customer's reason
// and opening are their first message, what they know is everything they said, their facts the
// attributes recorded from what they said; the starting attributes become the context; the
// criteria, expected actions and final status are drafted from how the conversation went. Pure:
// the person edits the draft before trusting it.
import { simulationDefinitionSchema, type SimulationDefinition } from '../../shared/simulations/definition';

interface TracedEvent {
  type: string;
  payload: Record<string, unknown>;
}

export interface PreviewRecord {
  /** The Procedure the preview started in (null: routed). */
  procedure: string | null;
  connectors: 'mock' | 'live';
  world?: string;
  trace: readonly TracedEvent[];
}

export function draftSimulation(record: PreviewRecord): { procedure: string; definition: SimulationDefinition } {
  const said = record.trace.filter((event) => event.type === 'customer_message').map((event) => String(event.payload.text ?? ''));
  if (said.length === 0) throw new Error('The conversation has no customer message yet: talk to the Procedure first, then save it as a simulation.');
  const routedTo = record.trace.find((event) => event.type === 'procedure_start' && event.payload.kind === 'main')?.payload.procedure;
  const procedure = record.procedure ?? (typeof routedTo === 'string' ? routedTo : null);
  if (!procedure) throw new Error('The conversation never reached a Procedure, so there is nothing to attach a simulation to.');

  const facts: Record<string, unknown> = {};
  const context: Record<string, unknown> = {};
  for (const event of record.trace) {
    if (event.type !== 'attribute_set') continue;
    if (event.payload.source === 'customer') facts[String(event.payload.name)] = event.payload.value;
    if (event.payload.source === 'context') context[String(event.payload.name)] = event.payload.value;
  }
  const actions = [...new Set(record.trace.filter((event) => event.type === 'connector_call').map((event) => String(event.payload.action)))];
  const outcome = [...record.trace].reverse().find((event) => event.type === 'handoff' || event.type === 'escalation');
  const ended = record.trace.some((event) => event.type === 'procedure_end' && event.payload.complete === true);
  const team = typeof outcome?.payload.team === 'string' ? outcome.payload.team : undefined;
  const finalStatus = outcome ? { status: outcome.type === 'handoff' ? ('handed_off' as const) : ('escalated' as const), ...(team ? { team } : {}) } : ended ? { status: 'ended' as const } : undefined;
  const criteria = [
    ...(outcome ? [{ name: 'Hands over', assertion: `The agent ${outcome.type === 'handoff' ? 'hands the conversation off' : 'escalates'}${team ? ` to ${team}` : ''}, with a summary a person can act on.` }] : []),
    ...(ended && !outcome ? [{ name: 'Resolves', assertion: "The agent answers the customer's request and ends the Procedure without handing off." }] : []),
    ...actions.map((action) => ({ name: `Uses ${action}`, assertion: `The agent looks the facts up with ${action} before answering, rather than guessing.` })),
  ];
  const definition = simulationDefinitionSchema.parse({
    description: `Drafted from a preview conversation of ${said.length} customer message(s). Review the criteria before trusting it.`,
    start: record.procedure ? 'procedure' : 'route',
    customer: {
      persona: 'A customer as in the preview conversation this was drafted from.',
      reason: said[0],
      known: said.join('\n'),
      facts,
      opening: said[0]!.slice(0, 4000),
    },
    context,
    connectors: { mode: record.connectors, ...(record.world ? { world: record.world } : {}) },
    criteria: criteria.length > 0 ? criteria : [{ name: 'Helps', assertion: 'The agent follows the Procedure and answers what the customer asked.' }],
    expectedActions: actions.map((action) => ({ action })),
    ...(finalStatus ? { finalStatus } : {}),
    maxTurns: Math.min(50, Math.max(said.length + 2, 4)),
    tags: ['from-preview'],
  });
  return { procedure, definition };
}
