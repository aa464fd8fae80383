// `stepwise chat`: talk to the agent in the terminal, one customer message per line, with a
// compact trace line for each thing the runtime does.
import { createInterface } from 'node:readline';
import { createEngine } from '../../assembly/engine';
import { ConversationClosedError, type ConversationEngine } from '../../runtime/engine';
import type { TraceEvent } from '../../runtime/types';
import { procedureNodeWords, traceSayers, type NodeWords } from '../../simulations/node-words';
import type { ModelSettings } from '../../model/settings';
import { costInWords } from '../../simulations/cost';
import type { Workspace } from '../../store/workspace';
import { plural } from '../../../shared/plural';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import { withSession } from '../session';

export const chatCommand: Command = {
  name: 'chat',
  summary: 'Chat with the agent in the terminal (--mock: mocked connectors and world)',
  usage: 'chat --workspace <file> [--procedure <name>] [--draft] [--mock] [--world <name>] [--verbose]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      procedure: { type: 'string' },
      draft: { type: 'boolean', default: false },
      mock: { type: 'boolean', default: false },
      world: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    if (values.world && !values.mock) throw new UsageError('--world goes with --mock.');
    return withSession(values.workspace, io, async ({ workspace, secrets, sandbox, model }) => {
      const { client, settings } = await model();
      const { engine, close } = createEngine({
        workspace,
        model: client,
        draft: values.draft,
        connectors: { mode: values.mock ? 'mock' : 'live', secrets, ...(values.world ? { world: values.world } : {}) },
        sandbox,
      });
      const sayer = liveSayer(workspace, values.draft, values.verbose);
      engine.subscribe((_id, event) => {
        const line = traceLine(event, sayer(event));
        if (line) io.out(`  · ${line}`);
      });
      try {
        const id = await engine.start({ kind: 'preview', ...(values.procedure ? { procedure: values.procedure } : {}) });
        io.out(`Conversation ${id} (${values.draft ? 'drafts' : 'live versions'}, ${values.mock ? 'mocked connectors' : 'live connectors'}). Type a message; an empty line or Ctrl+D ends.`);
        return await converse(engine, id, io, settings);
      } finally {
        await close();
      }
    });
  },
};

async function converse(engine: ConversationEngine, id: number, io: CliIo, settings: ModelSettings): Promise<number> {
  const lines = createInterface({ input: io.stdin ?? process.stdin, terminal: false });
  try {
    for await (const line of lines) {
      const text = line.trim();
      if (!text) break;
      io.out(`customer: ${text}`);
      try {
        const turn = await engine.send(id, text);
        for (const reply of turn.replies) io.out(`agent: ${reply}`);
        if (turn.outcome) {
          io.out(`[${turn.outcome.kind.replace('_', ' ')}${turn.outcome.team ? ` to ${turn.outcome.team}` : ''}: ${turn.outcome.reason}]`);
          // A model outage keeps the conversation: the next message picks it up where it stopped.
          if (turn.resumable) {
            io.out('[the model is unavailable; write again to carry on where the conversation stopped]');
            continue;
          }
          break;
        }
      } catch (error) {
        if (error instanceof ConversationClosedError) {
          io.err(error.message);
          break;
        }
        throw error;
      }
    }
  } finally {
    lines.close();
  }
  const state = await engine.state(id);
  if (state) io.out(usageLine(state.usage, settings));
  return 0;
}

/** The conversation's use of the model; its cost "not known" when the agent's model has no price, never $0.0000. */
export function usageLine(usage: { modelCalls: number; inputTokens: number; outputTokens: number; costUsd: number }, settings: Pick<ModelSettings, 'models' | 'prices'>): string {
  const agent = settings.models.agent;
  const cost = costInWords(usage.costUsd, { calls: usage.modelCalls, unpriced: settings.prices[agent] ? 0 : usage.modelCalls, unpricedModels: [agent] });
  return `${plural(usage.modelCalls, 'model call')}, ${plural(usage.inputTokens + usage.outputTokens, 'token')}, ${cost.known ? cost.text : `cost ${cost.text}`}.`;
}

/**
 * How to say the node ids of each event as it streams in: in the words of the Procedure it
 * happened in (its draft or live text, read once), the id added with --verbose.
 */
function liveSayer(workspace: Workspace, draft: boolean, withId: boolean): (event: TraceEvent) => (id: string) => string {
  const seen: TraceEvent[] = [];
  const words = new Map<string, NodeWords>();
  const wordsOf = (name: string) => {
    if (!words.has(name)) {
      const text = draft ? workspace.procedures.get(name)?.draftText : workspace.procedures.liveText(name);
      words.set(name, text ? procedureNodeWords(text) : new Map());
    }
    return words.get(name)!;
  };
  return (event) => {
    seen.push(event);
    const named = new Map([...new Set(seen.flatMap((one) => (typeof one.payload.procedure === 'string' ? [one.payload.procedure] : [])))].map((name) => [name, wordsOf(name)]));
    return traceSayers(seen, named, { withId }).at(-1)!;
  };
}

/** One short line per trace event; chatty events (messages, each model call) are left out. `say` puts a node id in words. */
export function traceLine(event: TraceEvent, say: (id: string) => string = (id) => id): string | null {
  const p = event.payload;
  switch (event.type) {
    case 'route':
      return p.valid === false ? `route answer not understood: ${String(p.reason)}` : `route → ${p.procedure ?? 'no Procedure'}`;
    case 'routing_failed':
      return `routing failed (${String(p.reason)}): no Procedure for this message`;
    case 'procedure_start':
    case 'procedure_end':
    case 'procedure_pause':
    case 'procedure_resume':
      return `${event.type.replace('procedure_', '')} ${String(p.procedure)}`;
    case 'step_enter':
      return `step ${event.stepId ? say(event.stepId) : '?'}${p.revisit ? ' (again)' : ''}`;
    case 'attribute_set':
      return `${String(p.name)} = ${JSON.stringify(p.value)} (${String(p.source)})`;
    case 'code_run':
      return `${say(String(p.nodeId))} ${p.ok ? 'ran' : `failed: ${JSON.stringify(p.error)}`}`;
    case 'condition':
      if (p.branchId === undefined || p.branchId === null) return `${say(String(p.nodeId))} → error (${String(p.kind)}${p.error ? `: ${String(p.error)}` : ''})`;
      return `${say(String(p.branchId))} (${String(p.kind)}${p.kind === 'python' ? ` is ${p.result ? 'true' : 'false'}` : ''}${p.reason ? `: ${String(p.reason)}` : ''})`;
    case 'tool_call':
      if (p.tool === 'reply') return null;
      return `${String(p.tool)} ${p.ok ? 'ok' : 'refused'} ${String(p.durationMs)} ms`;
    case 'knowledge_search':
      return `knowledge "${String(p.query)}" → ${(p.hits as { title: string }[]).map((hit) => hit.title).join('; ') || 'nothing'}`;
    case 'handoff':
    case 'escalation':
      return `${event.type} ${p.team ? `to ${String(p.team)} ` : ''}(${String(p.reason)})`;
    case 'model_call':
      return p.ok === false ? `model call failed: ${String(p.error)}` : null;
    case 'model_retry':
      return `model response broke off (${String(p.fault)}): retrying in ${String(p.delayMs)} ms`;
    case 'resumed_after_outage':
      return `resumed after the model outage${p.procedure ? ` in ${String(p.procedure)} at ${event.stepId ? say(event.stepId) : '?'}` : ''}`;
    case 'enforced':
    case 'action_refused':
    case 'action_needs_confirmation':
    case 'tag':
      return `${event.type.replace(/_/g, ' ')} ${JSON.stringify(p)}`;
    default:
      return null;
  }
}
