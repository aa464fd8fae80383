// What a simulation is: the Procedure(s) under test, a made-up customer (persona, reason for
// contacting, what they know and don't, how they behave), the connectors it runs against, and what
// must hold for it to pass: plain-language criteria for the judge, and deterministic checks
// (actions called or not, final status, attribute values, Python assertions over the final world).
// Definitions stored before this form (customer.opening/facts, `expectations`, `mocks`) still read.
import { z } from 'zod';
import { staticMockSchema } from '../connectors/definition';
import { jsonObjectSchema, jsonValueSchema } from '../json';

/** Who a failure is put down to. */
export const PARTIES = ['agent', 'customer', 'judge'] as const;
export const partySchema = z.enum(PARTIES);
export type Party = z.infer<typeof partySchema>;

const text = z.string().trim();
const name = text.min(1).max(200);

/** `connector.action`, or a bare action name that matches that action on any connector (τ²-bench tasks). */
export const actionNameSchema = z
  .string()
  .regex(/^([a-z][a-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_-]*$/, 'name an action as connector.action (or a bare action name to match it on any connector)');

export const actionCheckSchema = z.strictObject({
  action: actionNameSchema,
  /** A subset of the input: every key given must match (objects recursively, lists in any order). */
  args: z.record(z.string(), jsonValueSchema).optional(),
});
export type ActionCheck = z.infer<typeof actionCheckSchema>;

export const customerSchema = z.strictObject({
  persona: text.min(1, 'describe the simulated customer'),
  /** Why they contact support. */
  reason: text.default(''),
  /** What they know (and say when asked). */
  known: text.default(''),
  /** What they don't know: they say so rather than invent it. */
  unknown: text.default(''),
  /** Structured facts they know, e.g. { "order_number": "1043" }. */
  facts: z.record(z.string(), jsonValueSchema).default({}),
  /** How they behave: "changes their mind about the refund halfway", "insists on a human after two answers". */
  behaviour: z.array(text.min(1)).default([]),
  /** Their first message, word for word; without it the customer model writes it. */
  opening: text.min(1).max(4000).optional(),
});
export type CustomerDefinition = z.infer<typeof customerSchema>;

export const criterionSchema = z.strictObject({ name, assertion: text.min(1, 'say what the judge should check') });
export type Criterion = z.infer<typeof criterionSchema>;

export const worldAssertionSchema = z.strictObject({
  name,
  /** A Python expression over the final world (`data["world"]`) and attributes, true when it holds. */
  python: text.min(1),
});

export const finalStatusSchema = z
  .strictObject({
    /** `ended`: the Procedure's work is complete (nothing active; the conversation itself stays open). */
    status: z.enum(['ended', 'handed_off', 'escalated']),
    /** For a handoff or an escalation: the team (matched without regard to case). */
    team: text.min(1).optional(),
  })
  .refine((status) => status.team === undefined || status.status !== 'ended', { message: 'a team goes with handed_off or escalated, not ended' });
export type FinalStatus = z.infer<typeof finalStatusSchema>;

const worldName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a world is named with lowercase letters, digits, "_" and "-"');

export const connectorSetupSchema = z.strictObject({
  mode: z.enum(['mock', 'live']).default('mock'),
  /** Mock mode: the named starting world of the workspace (default: its "shop" world, or its only one). */
  world: worldName.optional(),
  /** Mock mode: a starting world written into the simulation; wins over `world`. */
  initialWorld: jsonObjectSchema.optional(),
  /** Mock mode: this simulation's own canned responses by `connector.action`, tried first. */
  mocks: z.record(z.string(), z.array(staticMockSchema)).default({}),
});

const tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a tag is letters, digits, "_", "." and "-"');

const definitionObject = z
  .strictObject({
    description: z.string().default(''),
    /** Other Procedures under test besides the one the simulation belongs to (for coverage and comparison). */
    procedures: z.array(text.min(1)).default([]),
    /** Start straight in the Procedure, or let the router pick from the customer's first message. */
    start: z.enum(['procedure', 'route']).default('procedure'),
    customer: customerSchema,
    /** Attributes the channel knows before the conversation starts. */
    context: z.record(z.string(), jsonValueSchema).default({}),
    connectors: connectorSetupSchema.default({ mode: 'mock', mocks: {} }),
    /** Plain-language assertions the judge rules on. */
    criteria: z.array(criterionSchema).default([]),
    expectedActions: z.array(actionCheckSchema).default([]),
    forbiddenActions: z.array(actionCheckSchema).default([]),
    finalStatus: finalStatusSchema.optional(),
    /** Attribute values the conversation must end with. */
    attributes: z.record(z.string(), jsonValueSchema).default({}),
    worldAssertions: z.array(worldAssertionSchema).default([]),
    /** Customer messages before the run is cut off. */
    maxTurns: z.number().int().min(1).max(50).default(10),
    tags: z.array(tag).default([]),
    /** The conversation's frozen clock (today() in code steps and mocks); default: when the run starts. */
    clock: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((definition, context) => {
    if (definition.worldAssertions.length > 0 && definition.connectors.mode !== 'mock') {
      context.addIssue({ code: 'custom', path: ['worldAssertions'], message: 'assertions over the final world need mocked connectors (connectors.mode "mock")' });
    }
    const seen = new Set<string>();
    for (const [index, item] of [...definition.criteria, ...definition.worldAssertions].entries()) {
      if (seen.has(item.name)) context.addIssue({ code: 'custom', path: ['criteria', index, 'name'], message: `two criteria or assertions are called "${item.name}"` });
      seen.add(item.name);
    }
  });

/** Stored definitions from before criteria and deterministic checks: `expectations` and `mocks`. */
function upgradeLegacy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { expectations, mocks, ...rest } = value as Record<string, unknown>;
  const upgraded: Record<string, unknown> = { ...rest };
  if (Array.isArray(expectations)) {
    const criteria = expectations.map((expectation) => {
      const item = (expectation ?? {}) as { name?: unknown; description?: unknown };
      const description = typeof item.description === 'string' && item.description.trim() ? item.description : item.name;
      return { name: item.name, assertion: description };
    });
    upgraded.criteria = [...(Array.isArray(rest.criteria) ? rest.criteria : []), ...criteria];
  }
  if (mocks !== undefined && typeof mocks === 'object' && mocks !== null && !Array.isArray(mocks)) {
    const converted = Object.fromEntries(Object.entries(mocks).map(([action, canned]) => [action, Array.isArray(canned) ? canned : [{ body: canned }]]));
    const connectors = (typeof rest.connectors === 'object' && rest.connectors !== null ? rest.connectors : {}) as Record<string, unknown>;
    upgraded.connectors = { ...connectors, mocks: { ...converted, ...((connectors.mocks as object | undefined) ?? {}) } };
  }
  return upgraded;
}

export const simulationDefinitionSchema = z.preprocess(upgradeLegacy, definitionObject);

export type SimulationDefinition = z.infer<typeof simulationDefinitionSchema>;
export type SimulationDefinitionInput = z.input<typeof definitionObject>;

export const runStatusSchema = z.enum(['running', 'passed', 'failed', 'error']);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const resultSchema = z.strictObject({ expectation: z.string().min(1), passed: z.boolean(), detail: z.string().default('') });
export type SimulationResult = z.infer<typeof resultSchema>;

// ----- what a run found -------------------------------------------------------------------------

export const CHECK_KINDS = ['criterion', 'expected_action', 'forbidden_action', 'final_status', 'attribute', 'world', 'turn_limit', 'customer_conformance', 'conformance', 'run'] as const;
export const checkKindSchema = z.enum(CHECK_KINDS);
export type CheckKind = z.infer<typeof checkKindSchema>;

/** One criterion or check of a run: whether it passed, why, and whose failure it is. */
export const checkOutcomeSchema = z.strictObject({
  name: z.string().min(1),
  kind: checkKindSchema,
  passed: z.boolean(),
  /** The judge's reasoning, or what the deterministic check found. */
  reason: z.string(),
  /** Null when it passed. */
  party: partySchema.nullable(),
  /** What the check looked at (matching calls, the status, the value…), for the report. */
  evidence: z.unknown().optional(),
});
export type CheckOutcome = z.infer<typeof checkOutcomeSchema>;
