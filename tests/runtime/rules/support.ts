// Pure rule tests: Procedures compiled from text, a conversation state built in memory, and the
// rule context a turn would hand the rules. No model server, no sandbox, no SQLite.
import { applyTool } from '../../../main/runtime/apply-tool';
import type { RuleContext } from '../../../main/runtime/decision';
import { compileProcedure, type CompiledProcedure } from '../../../main/runtime/compiled-procedure';
import { initialState } from '../../../main/runtime/engine';
import { EscalationPolicySchema } from '../../../main/runtime/escalation';
import type { ActionInfo, ConversationState, Frame } from '../../../main/runtime/types';

export const REFUND = `---
name: Refund request
trigger: The customer wants their money back.
attributes:
  order_number:
    type: string
  amount:
    type: number
  reason:
    type: string
---

## Find the order
Collect {order_number} and look it up with @shop.get_order.

## Understand the reason
Collect {reason}.
If the customer says the item arrived broken:
  - @switch [[Damaged order claim]]

## Verify
Confirm the customer's identity with [[Verify identity]].

## Refund
\`\`\`python
attributes["amount"] = data["shop.get_order"]["total"]
\`\`\`
If \`attributes["amount"] > 100\`:
  - @handoff Billing team
Otherwise:
  - Issue it with @payments.create_refund once they agree.

## Wrap up
Ask if there is anything else. @end
`;

export const VERIFY = `---
name: Verify identity
trigger: Used before refunds.
sub_procedure: true
attributes:
  email:
    type: string
---

## Send a code
Collect {email} and send a code with @accounts.send_code.
`;

export const DAMAGED = `---
name: Damaged order claim
trigger: An item arrived broken.
attributes:
  damage:
    type: string
---

## Understand the damage
Collect {damage}. @end
`;

export const CANCEL = `---
name: Cancel subscription
trigger: The customer wants to cancel.
---

## Cancel
Cancel it with @billing.cancel. @end
`;

export const PROCEDURES = new Map<string, CompiledProcedure>(
  [REFUND, VERIFY, DAMAGED, CANCEL].map((text) => {
    const procedure = compileProcedure(text, 'draft');
    return [procedure.name, procedure];
  }),
);

export const procedure = (name: string) => PROCEDURES.get(name)!;

const ACTIONS: Record<string, Partial<ActionInfo>> = {
  'shop.get_order': {},
  'payments.create_refund': { confirm: true },
  'accounts.send_code': {},
  'billing.cancel': { confirm: true },
};

export const policy = EscalationPolicySchema.parse({});

export function context(overrides: Partial<RuleContext> = {}): RuleContext {
  return {
    procedures: PROCEDURES,
    routable: [...PROCEDURES.values()].filter((p) => !p.subProcedure).map((p) => ({ name: p.name, trigger: p.trigger ?? '' })),
    policy,
    describeAction: (action) =>
      action in ACTIONS ? { name: action, description: `Runs ${action}.`, inputSchema: { type: 'object' }, confirm: false, ...ACTIONS[action] } : undefined,
    awaiting: null,
    ...overrides,
  };
}

export const frame = (procedureName: string, stepId: string, kind: Frame['kind'] = 'main'): Frame => ({
  procedure: procedureName,
  version: 'draft',
  stepId,
  decided: {},
  ran: [],
  kind,
});

/**
 * What a run of Refund request has established when it legitimately stands at a step (its
 * frame's `gates`, reach.ts): the order looked up, the identity checked, the refund allowed.
 */
const LOOKED_UP = { '@shop.get_order': 'called' };
const VERIFIED = { ...LOOKED_UP, 'step:verify/call:verify-identity': 'done' };
const ALLOWED = { ...VERIFIED, 'step:refund/code1': 'ran', 'step:refund/cond1': 'step:refund/cond1/b2' };
export const REFUND_PASSED: Record<string, Record<string, string>> = {
  'step:find-the-order': {},
  'step:understand-the-reason': LOOKED_UP,
  'step:verify': LOOKED_UP,
  'step:refund': VERIFIED,
  'step:refund (allowed)': ALLOWED,
  'step:wrap-up': ALLOWED,
};

/** A frame of Refund request at `stepId`, reached legitimately (`key` of REFUND_PASSED, the step's by default). */
export const reachedFrame = (stepId: string, key = stepId): Frame => ({ ...frame('Refund request', stepId), gates: REFUND_PASSED[key]! });

/** A conversation at `stepId` of Refund request (or the given stack), in turn 1 with the customer's `said`. */
export function conversation(options: { stack?: Frame[]; paused?: Frame[][]; turn?: number; said?: string; attributes?: Record<string, unknown>; data?: Record<string, unknown> } = {}): ConversationState {
  const turn = options.turn ?? 1;
  return deepFreeze({
    ...initialState(1, new Date('2026-11-25T10:00:00Z')),
    status: 'active',
    turn,
    stack: options.stack ?? [frame('Refund request', 'step:find-the-order')],
    paused: options.paused ?? [],
    attributes: Object.fromEntries(Object.entries(options.attributes ?? {}).map(([name, value]) => [name, { value, source: 'customer' as const, turn: 0 }])),
    data: options.data ?? {},
    transcript: options.said ? [{ role: 'customer', text: options.said, turn }] : [],
  });
}

/** The next customer message arrives: a new turn with their words in the transcript. */
export function customerSays(state: ConversationState, text: string): ConversationState {
  return deepFreeze({ ...structuredClone(state), turn: state.turn + 1, transcript: [...state.transcript, { role: 'customer', text, turn: state.turn + 1 }] });
}

/** Frozen all the way down: a rule that writes to the state it was given throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export const call = (name: string, input: unknown, state: ConversationState, overrides: Partial<RuleContext> = {}) => applyTool(state, { name, input }, context(overrides));

export const types = (events: { type: string }[]) => events.map((event) => event.type);
