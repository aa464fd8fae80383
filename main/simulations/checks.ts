// The deterministic checks of a run, read from its trace, final state and final world: actions
// that must be called (with an argument subset match) and must not be, the final status, attribute
// values, and Python assertions over the final world (run in the sandbox).
import { plural } from '../../shared/plural';
import { actionFromToolName } from '../runtime/tools';
import type { ConversationState, TraceEvent } from '../runtime/types';
import type { CodeSandbox } from '../sandbox/types';
import { jsonEqual, type JsonValue } from '../sandbox/json';
import type { ActionCheck, CheckOutcome, SimulationDefinition } from './definition';

export interface ActionCall {
  /** `connector.action` */
  action: string;
  input: Record<string, unknown>;
  /** The connector answered without an error. */
  ok: boolean;
}

/**
 * Connector actions the runtime actually ran, in order. An agent's tool call for an action counts
 * only when it reached the connector (not when it was refused or held for the customer's agreement).
 */
export function actionCalls(trace: readonly TraceEvent[]): ActionCall[] {
  const calls: ActionCall[] = [];
  let reached = new Set<string>();
  for (const event of trace) {
    if (event.type === 'connector_call') reached.add(String(event.payload.action));
    if (event.type !== 'tool_call') continue;
    const action = actionFromToolName(String(event.payload.tool));
    if (action && reached.has(action)) {
      const { customer_agreement: _agreement, ...input } = (event.payload.input ?? {}) as Record<string, unknown>;
      calls.push({ action, input, ok: event.payload.ok === true });
    }
    reached = new Set();
  }
  return calls;
}

/** `connector.action` matches itself; a bare `action` matches that action on any connector. */
export function actionMatches(expected: string, actual: string): boolean {
  return expected.includes('.') ? expected === actual : actual === expected || actual.endsWith(`.${expected}`);
}

/**
 * Whether `actual` holds everything `expected` says: objects key by key (extra keys allowed), lists
 * with the same items in any order, and a number equal to the same number written as a string.
 */
export function subsetMatches(expected: unknown, actual: unknown): boolean {
  if (expected === null || typeof expected !== 'object') {
    if (typeof expected === 'number' && typeof actual === 'string') return actual.trim() !== '' && Number(actual) === expected;
    if (typeof expected === 'string' && typeof actual === 'number') return expected.trim() !== '' && Number(expected) === actual;
    return jsonEqual(expected as JsonValue, actual as JsonValue);
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    const unused = [...actual];
    return expected.every((item) => {
      const index = unused.findIndex((candidate) => subsetMatches(item, candidate));
      if (index < 0) return false;
      unused.splice(index, 1);
      return true;
    });
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.entries(expected).every(([key, value]) => Object.prototype.hasOwnProperty.call(actual, key) && subsetMatches(value, (actual as Record<string, unknown>)[key]));
}

/** Expected arguments as a reader says them: {"id":"7","reason":"late"} → "id 7, reason late" (JSON only for a value that needs it). */
export function argumentWords(args: Record<string, unknown>): string {
  const value = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && !/[,"]/.test(v) ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  return Object.entries(args)
    .map(([key, v]) => `${key} ${value(v)}`)
    .join(', ');
}

const describeCheck = (check: ActionCheck) => `${check.action}${check.args && Object.keys(check.args).length > 0 ? ` with ${argumentWords(check.args)}` : ''}`;
const times = (count: number) => (count === 1 ? 'once' : `${count} times`);

function matching(check: ActionCheck, calls: ActionCall[]): ActionCall[] {
  return calls.filter((call) => actionMatches(check.action, call.action) && (check.args === undefined || subsetMatches(check.args, call.input)));
}

export function expectedActionChecks(definition: SimulationDefinition, calls: ActionCall[]): CheckOutcome[] {
  return definition.expectedActions.map((check) => {
    const found = matching(check, calls);
    const sameAction = calls.filter((call) => actionMatches(check.action, call.action));
    const reason =
      found.length > 0
        ? `Called ${times(found.length)}.`
        : sameAction.length > 0
          ? `Called, but never with the expected arguments: ${sameAction.map((call) => JSON.stringify(call.input)).join('; ')}.`
          : `Never called${calls.length > 0 ? ` (the run called ${[...new Set(calls.map((call) => call.action))].join(', ')})` : ' (the run called no action)'}.`;
    return { name: `calls ${describeCheck(check)}`, kind: 'expected_action', passed: found.length > 0, reason, party: found.length > 0 ? null : 'agent', evidence: { calls: sameAction } };
  });
}

export function forbiddenActionChecks(definition: SimulationDefinition, calls: ActionCall[]): CheckOutcome[] {
  return definition.forbiddenActions.map((check) => {
    const found = matching(check, calls);
    return {
      name: `never calls ${describeCheck(check)}`,
      kind: 'forbidden_action',
      passed: found.length === 0,
      reason: found.length === 0 ? 'Not called.' : `Called ${times(found.length)}: ${found.map((call) => JSON.stringify(call.input)).join('; ')}.`,
      party: found.length === 0 ? null : 'agent',
      evidence: { calls: found },
    };
  });
}

/**
 * The Procedures' work is complete: nothing active or paused after at least one ran, and no handoff
 * or escalation. The conversation itself stays open (a Procedure cannot close it); a state saved
 * before that rule says so with an `ended` outcome.
 */
function proceduresComplete(state: ConversationState): boolean {
  if (state.outcome) return state.outcome.kind === 'ended';
  return state.stack.length === 0 && state.paused.length === 0 && state.visited.length > 0;
}

export function describeOutcome(state: ConversationState): string {
  const outcome = state.outcome;
  if (!outcome) return proceduresComplete(state) ? `open, with its Procedures complete (${state.status})` : `still open (${state.status})`;
  const team = outcome.team ? ` to ${outcome.team}` : '';
  return `${outcome.kind.replace('_', ' ')}${team} (${outcome.reason})`;
}

export function finalStatusCheck(definition: SimulationDefinition, state: ConversationState): CheckOutcome[] {
  const expected = definition.finalStatus;
  if (!expected) return [];
  const outcome = state.outcome;
  // `ended` asks for the Procedure's work to be complete, which leaves the conversation open.
  const statusOk = expected.status === 'ended' ? proceduresComplete(state) : outcome?.kind === expected.status;
  const teamOk = expected.team === undefined || (outcome?.team ?? '').toLowerCase() === expected.team.toLowerCase();
  const passed = statusOk && teamOk;
  return [
    {
      name: `ends ${expected.status.replace('_', ' ')}${expected.team ? ` to ${expected.team}` : ''}`,
      kind: 'final_status',
      passed,
      reason: `The conversation ${passed ? 'was' : 'was instead'} ${describeOutcome(state)}.`,
      party: passed ? null : 'agent',
      evidence: { status: state.status, outcome },
    },
  ];
}

export function attributeChecks(definition: SimulationDefinition, state: ConversationState): CheckOutcome[] {
  return Object.entries(definition.attributes).map(([name, expected]) => {
    const entry = state.attributes[name];
    const passed = entry !== undefined && jsonEqual(expected, entry.value as JsonValue);
    return {
      name: `attribute ${name} = ${JSON.stringify(expected)}`,
      kind: 'attribute',
      passed,
      reason: entry === undefined ? `${name} was never set.` : `${name} is ${JSON.stringify(entry.value)} (from ${entry.source}, turn ${entry.turn}).`,
      party: passed ? null : 'agent',
      evidence: { value: entry?.value ?? null },
    };
  });
}

/** Python assertions over the final world: `data["world"]`, with the final attributes. */
export async function worldChecks(
  definition: SimulationDefinition,
  sandbox: CodeSandbox,
  world: Record<string, unknown>,
  state: ConversationState,
): Promise<CheckOutcome[]> {
  const attributes = Object.fromEntries(Object.entries(state.attributes).map(([name, entry]) => [name, entry.value]));
  const checks: CheckOutcome[] = [];
  for (const assertion of definition.worldAssertions) {
    const result = await sandbox.evaluate({ mode: 'condition', code: assertion.python, attributes, data: { world }, declared: [], clock: state.clock });
    const passed = result.ok && result.value === true;
    const reason = result.ok ? `\`${assertion.python}\` is ${result.value ? 'True' : 'False'} on the final world.` : `\`${assertion.python}\` could not be evaluated: ${result.error.message}.`;
    checks.push({ name: assertion.name, kind: 'world', passed, reason, party: passed ? null : 'agent', evidence: result.ok ? { value: result.value } : { error: result.error } });
  }
  return checks;
}

export function turnLimitCheck(definition: SimulationDefinition, cut: boolean): CheckOutcome[] {
  if (!cut) return [];
  return [
    {
      name: `finishes within ${plural(definition.maxTurns, 'customer message')}`,
      kind: 'turn_limit',
      passed: false,
      reason: `The conversation was cut off after ${plural(definition.maxTurns, 'customer message')}, with no outcome and the customer not done.`,
      party: 'agent',
    },
  ];
}
