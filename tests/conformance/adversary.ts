// Adversarial agent models for the property test. A conversation plan is data that fast-check
// generates and shrinks: the Procedure to start in, and per turn a customer message and the tool
// calls of each model response. A call picks its targets by index from the workspace's pools (every
// step, condition, branch, action, attribute, team and Procedure of every Procedure, valid or not
// for where the conversation stands), so plans are a mix of valid and invalid moves by design.
import fc from 'fast-check';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { ModelCaller } from '../../main/model/client';
import type { ActionInfo, TraceEvent } from '../../main/runtime/types';
import { toGraph, type ProcedureDocument } from '../../shared/procedure';

/** What a sensible model could do where the conversation stands: keyed by Procedure and step. */
export interface LocalMoves {
  next: string | null;
  actions: string[];
  conditions: { conditionId: string; branches: string[] }[];
  subprocedures: string[];
  attributes: Pools['attributes'];
}

export interface Pools {
  procedures: string[];
  local: Map<string, LocalMoves>;
  routable: string[];
  subprocedures: string[];
  steps: string[];
  conditions: { conditionId: string; branches: string[] }[];
  actions: ActionInfo[];
  attributes: { name: string; type: string; values?: string[] }[];
  teams: string[];
}

export function poolsOf(documents: ProcedureDocument[], actions: ActionInfo[]): Pools {
  const pools: Pools = { procedures: [], local: new Map(), routable: [], subprocedures: [], steps: [], conditions: [], actions, attributes: [], teams: [] };
  for (const document of documents) {
    const header = document.frontMatter!.header;
    pools.procedures.push(header.name!);
    (header.subProcedure ? pools.subprocedures : pools.routable).push(header.name!);
    const graph = toGraph(document);
    for (const node of graph.nodes) {
      if (node.kind === 'step') pools.steps.push(node.id);
      if (node.kind === 'condition') pools.conditions.push({ conditionId: node.id, branches: graph.edges.filter((edge) => edge.from === node.id && edge.kind === 'branch').map((edge) => edge.to) });
      if (node.kind === 'handoff' && !pools.teams.includes(node.label)) pools.teams.push(node.label);
    }
    const declared = header.attributes.map((attribute) => ({ name: attribute.name, type: attribute.type, ...(attribute.values ? { values: attribute.values } : {}) }));
    pools.attributes.push(...declared);
    const steps = graph.nodes.filter((node) => node.kind === 'step');
    steps.forEach((step, index) => {
      const inStep = graph.nodes.filter((node) => node.stepId === step.id);
      pools.local.set(localKey(header.name!, step.id), {
        next: steps[index + 1]?.id ?? null,
        actions: inStep.filter((node) => node.kind === 'action').map((node) => node.label),
        conditions: pools.conditions.filter((condition) => inStep.some((node) => node.id === condition.conditionId)),
        subprocedures: inStep.filter((node) => node.kind === 'subprocedure' && node.mode === 'call').map((node) => node.target!),
        attributes: declared,
      });
    });
  }
  return pools;
}

// ----- plans -------------------------------------------------------------------------------------

const localKey = (procedure: string, stepId: string) => `${procedure}\n${stepId}`;

/** Where the conversation stands, followed from the trace events as they come. */
export class Position {
  private stack: { procedure: string; stepId: string }[] = [];
  private paused: { procedure: string; stepId: string }[][] = [];

  observe(event: TraceEvent) {
    const procedure = String(event.payload.procedure ?? '');
    switch (event.type) {
      case 'procedure_start':
        this.stack.push({ procedure, stepId: event.stepId ?? '' });
        break;
      case 'step_enter': {
        const top = this.stack.at(-1);
        if (top) top.stepId = event.stepId ?? '';
        break;
      }
      case 'procedure_end':
        this.stack.pop();
        break;
      case 'procedure_pause':
        this.paused.push(this.stack);
        this.stack = [];
        break;
      case 'procedure_resume':
        this.stack = this.paused.pop() ?? [];
        break;
    }
  }

  current(): { procedure: string; stepId: string } | undefined {
    return this.stack.at(-1);
  }
}

export type PlannedCall =
  | { kind: 'natural'; move: 'next' | 'action' | 'attribute' | 'decide' | 'sub'; pick: number; agree: 'quote' | 'none' }
  | { kind: 'go_to_step'; pick: number }
  | { kind: 'action'; pick: number; variant: number; agree: 'quote' | 'none' | 'made-up' }
  | { kind: 'set_attributes'; pick: number; variant: number; typed: boolean }
  | { kind: 'run_subprocedure'; pick: number }
  | { kind: 'start_procedure'; pick: number }
  | { kind: 'decide_condition'; pick: number; branch: number }
  | { kind: 'end_procedure' }
  | { kind: 'handoff'; pick: number }
  | { kind: 'escalate' }
  | { kind: 'search_knowledge'; query: string }
  | { kind: 'reply'; text: string }
  | { kind: 'nonsense'; variant: number };

export interface Turn {
  customer: string;
  responses: PlannedCall[][];
}

export interface Plan {
  start: number;
  /** Most conversations run with escalation thresholds out of the way, so they get deep into their Procedures. */
  patient: boolean;
  turns: Turn[];
}

/** Thresholds no plan reaches: the caps on calls per turn still apply. */
export const PATIENT_POLICY = { repeatThreshold: 1000, noProgressTurns: 1000, connectorFailures: 1000 };

export const CUSTOMER_MESSAGES = [
  'I want a refund for order 1043.',
  'My order is 988 and the kettle arrived broken.',
  'yes go ahead',
  'Yes, please do that.',
  'no, stop',
  'My email is jane.doe@example.com',
  'The code is 123456',
  'It sparks when I switch it on.',
  'I would like a replacement instead.',
  'Actually, I want to cancel my subscription.',
  'I forgot my password.',
  'Where do I find my order number?',
  'The order number is 1051.',
];

const nat = fc.nat({ max: 1000 });
const plannedCall: fc.Arbitrary<PlannedCall> = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.record({
      kind: fc.constant('natural' as const),
      move: fc.constantFrom('next' as const, 'action' as const, 'attribute' as const, 'decide' as const, 'sub' as const),
      pick: nat,
      agree: fc.constantFrom('quote' as const, 'none' as const),
    }),
  },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('go_to_step' as const), pick: nat }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('action' as const), pick: nat, variant: nat, agree: fc.constantFrom('quote' as const, 'none' as const, 'made-up' as const) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('set_attributes' as const), pick: nat, variant: nat, typed: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('run_subprocedure' as const), pick: nat }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('start_procedure' as const), pick: nat }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('decide_condition' as const), pick: nat, branch: nat }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('end_procedure' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('handoff' as const), pick: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('escalate' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('search_knowledge' as const), query: fc.constantFrom('order number', 'refund window', 'damaged') }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('reply' as const), text: fc.constantFrom('Let me check.', 'Done.', 'Could you confirm?') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nonsense' as const), variant: nat }) },
);

export const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  start: nat,
  patient: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  turns: fc.array(
    fc.record({
      customer: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...CUSTOMER_MESSAGES) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30 }).filter((text) => text.trim().length > 0) }),
      responses: fc.array(fc.array(plannedCall, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

// ----- from a planned call to a tool call --------------------------------------------------------

const at = <T>(list: readonly T[], pick: number): T | undefined => (list.length > 0 ? list[pick % list.length] : undefined);

/** Plausible values for an action's inputs, from the example world, and some that are not. */
const INPUT_VALUES: Record<string, unknown[]> = {
  order_number: ['1043', '988', '1051', '9999'],
  email: ['jane.doe@example.com', 'omar.haddad@example.com', 'nobody@example.com'],
  customer_email: ['jane.doe@example.com', 'omar.haddad@example.com'],
  code: ['123456', '654321', '000000'],
  payment_intent: ['pi_3Q1043', 'pi_3Q0988'],
  amount: [2400, 850, 1],
  reason: ['requested_by_customer', 'duplicate'],
  subscription_id: ['sub_1Jane', 'sub_1Omar'],
  coupon: ['RETAIN25', 'RETAIN50'],
  line_items: [[{ sku: 'KETTLE-1', quantity: 1 }]],
  title: ['Customer cannot sign in'],
  description: ['Details of the problem.'],
};

function actionInput(action: ActionInfo, variant: number): Record<string, unknown> {
  const properties = (action.inputSchema.properties ?? {}) as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  Object.keys(properties).forEach((name, index) => {
    const values = INPUT_VALUES[name] ?? ['x'];
    // Variant 0 keeps to the first values, so the same request comes back across turns (confirmations).
    input[name] = values[variant % 3 === 0 ? 0 : (variant + index) % values.length];
  });
  return input;
}

const TYPED: Record<string, unknown[]> = {
  string: ['1043', '988', 'jane.doe@example.com', '123456'],
  number: [10, 45, 250, 0],
  boolean: [true, false],
  date: ['2026-11-10', '2026-08-01'],
  list: [['KETTLE-1'], ['MUG-2', 'KETTLE-1']],
  object: [{ a: 1 }],
};
const MISTYPED = [42, 'not a number', null, ['x'], { nested: true }, '2026-13-45', true];

function attributeValue(attribute: Pools['attributes'][number], variant: number, typed: boolean): unknown {
  if (!typed) return at(MISTYPED, variant);
  if (attribute.type === 'enum') return at(attribute.values ?? ['x'], variant);
  return at(TYPED[attribute.type] ?? ['x'], variant);
}

/** A sensible move from where the conversation stands (a valid one, mostly): the next step, the step's own action… */
function naturalCall(call: Extract<PlannedCall, { kind: 'natural' }>, pools: Pools, latestCustomer: string, where: { procedure: string; stepId: string } | undefined): [string, Record<string, unknown>] {
  const local = where ? pools.local.get(localKey(where.procedure, where.stepId)) : undefined;
  if (!local) return ['reply', { message: 'How can I help?' }];
  switch (call.move) {
    case 'next':
      return local.next ? ['go_to_step', { step_id: local.next }] : ['end_procedure', { summary: 'All done.' }];
    case 'action': {
      const name = at(local.actions, call.pick);
      const action = name ? pools.actions.find((candidate) => candidate.name === name) : undefined;
      if (!action) return ['reply', { message: 'Let me check.' }];
      // The first plausible values, so that a request asked in one turn comes back the same in the next.
      const input = actionInput(action, 0);
      if (call.agree === 'quote') input.customer_agreement = latestCustomer;
      return [action.name.replace('.', '__'), input];
    }
    case 'attribute': {
      const attribute = at(local.attributes, call.pick);
      return attribute ? ['set_attributes', { values: { [attribute.name]: attributeValue(attribute, call.pick, true) } }] : ['reply', { message: 'Noted.' }];
    }
    case 'decide': {
      const condition = at(local.conditions, call.pick);
      return condition
        ? ['decide_condition', { condition_id: condition.conditionId, branch_id: at([...condition.branches, 'none'], call.pick)!, reason: 'the customer said so' }]
        : ['reply', { message: 'Right.' }];
    }
    case 'sub': {
      const name = at(local.subprocedures, call.pick);
      return name ? ['run_subprocedure', { name }] : ['reply', { message: 'Sure.' }];
    }
  }
}

/** The tool call a planned call stands for; `latestCustomer` is the message agreements quote. */
export function toolCall(call: PlannedCall, pools: Pools, latestCustomer: string, where?: { procedure: string; stepId: string }): [string, Record<string, unknown>] {
  switch (call.kind) {
    case 'natural':
      return naturalCall(call, pools, latestCustomer, where);
    case 'go_to_step':
      return ['go_to_step', { step_id: at(pools.steps, call.pick) ?? 'step:nowhere' }];
    case 'action': {
      const action = at(pools.actions, call.pick)!;
      const input = actionInput(action, call.variant);
      if (call.agree === 'quote') input.customer_agreement = latestCustomer;
      if (call.agree === 'made-up') input.customer_agreement = 'yes, I agree to everything';
      return [action.name.replace('.', '__'), input];
    }
    case 'set_attributes': {
      const attribute = at(pools.attributes, call.pick)!;
      return ['set_attributes', { values: { [attribute.name]: attributeValue(attribute, call.variant, call.typed) } }];
    }
    case 'run_subprocedure':
      return ['run_subprocedure', { name: at([...pools.subprocedures, ...pools.routable], call.pick)! }];
    case 'start_procedure':
      return ['start_procedure', { name: at(pools.routable, call.pick)!, reason: 'the customer changed topic' }];
    case 'decide_condition': {
      const condition = at(pools.conditions, call.pick);
      if (!condition) return ['decide_condition', { condition_id: 'cond:none', branch_id: 'none', reason: 'guess' }];
      return ['decide_condition', { condition_id: condition.conditionId, branch_id: at([...condition.branches, 'none'], call.branch)!, reason: 'the customer said so' }];
    }
    case 'end_procedure':
      return ['end_procedure', { summary: 'Done here.' }];
    case 'handoff':
      return ['handoff', { team: at([...pools.teams, 'Nobody in particular'], call.pick)!, summary: 'Passing this on.' }];
    case 'escalate':
      return ['escalate', { reason: 'stuck', summary: 'I am stuck.' }];
    case 'search_knowledge':
      return ['search_knowledge', { query: call.query }];
    case 'reply':
      return ['reply', { message: call.text }];
    case 'nonsense':
      return at<[string, Record<string, unknown>]>([['launch_rockets', {}], ['go_to_step', { step: 1 }], ['set_attributes', { values: 'all of them' }], ['shop__get_order', { order_number: 1043 }]], call.variant)!;
  }
}

/**
 * The scripted model for one conversation: each agent call takes the next planned response of the
 * current turn; when the turn's plan runs out it replies, so every turn ends. Routing calls pick a
 * Procedure by the plan's start index.
 */
export class PlannedModel implements ModelCaller {
  /** Fed every trace event by the driver, so a natural move knows where the conversation stands. */
  readonly position = new Position();
  private turn: Turn | null = null;
  private response = 0;
  private customer = '';
  private calls = 0;

  constructor(
    private readonly pools: Pools,
    private readonly plan: Plan,
  ) {}

  beginTurn(turn: Turn) {
    this.turn = turn;
    this.response = 0;
    this.customer = turn.customer;
  }

  async call(request: Parameters<ModelCaller['call']>[0]) {
    this.calls += 1;
    const routing = request.toolChoice?.type === 'tool' && request.toolChoice.name === 'route';
    let calls: [string, Record<string, unknown>][];
    if (routing) calls = [['route', { procedure: at(this.pools.routable, this.plan.start) ?? null, reason: 'planned' }]];
    else {
      const planned = this.turn?.responses[this.response++];
      // Each call of a response is resolved against the position when the response is written.
      const where = this.position.current();
      calls = planned ? planned.map((call) => toolCall(call, this.pools, this.customer, where)) : [['reply', { message: 'Is there anything else?' }]];
    }
    const message = {
      id: `msg_${this.calls}`,
      type: 'message',
      role: 'assistant',
      model: 'adversary',
      content: calls.map(([name, input], position) => ({ type: 'tool_use', id: `tool_${this.calls}_${position}`, name, input })),
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 10 },
    } as unknown as Message;
    return { model: 'adversary', message, usage: { inputTokens: 10, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0, latencyMs: 0 };
  }
}
