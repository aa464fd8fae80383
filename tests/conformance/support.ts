// Hand-written traces for the checker's tests: a builder that writes events in the shapes the
// runtime emits (docs/runtime.md "Trace events"), and the Procedures of issue 12's scenario.
import { parse, type ProcedureDocument } from '../../shared/procedure';
import type { TraceEvent } from '../../main/runtime/types';

/** The scenario: find the order, a Python age check that hands off, then identity before the refund. */
export const REFUND_CHECK = `---
name: Refund check
trigger: The customer wants their money back.
attributes:
  order_number:
    type: string
  order_age_days:
    type: number
---

## Find the order
Collect {order_number} and look it up with @shop.get_order.

## Check the order age
\`\`\`python
from datetime import date
attributes["order_age_days"] = (today() - date.fromisoformat(data["shop.get_order"]["delivered_on"])).days
\`\`\`
If \`attributes["order_age_days"] > 60\`:
  - @handoff Billing team: the order is too old for an automatic refund
Otherwise:
  - Go on to the refund.

## Refund
Confirm their identity with [[Identity check]].
Then issue it with @payments.create_refund. @end
`;

export const IDENTITY_CHECK = `---
name: Identity check
trigger: Used before refunds.
sub_procedure: true
attributes:
  email:
    type: string
---

## Ask for the email
Collect {email}.
`;

/** A plain-language choice and a Python one, each between two actions. */
export const CREDIT_OR_REFUND = `---
name: Credit or refund
trigger: The customer wants compensation.
attributes:
  amount:
    type: number
---

## Choose
If \`attributes["amount"] > 100\`:
  - Offer store credit with @billing.issue_credit.
Otherwise:
  - Refund it with @payments.create_refund.

## Replace or keep
If the customer wants a replacement:
  - Send one with @shop.create_replacement.
Otherwise:
  - Tell them they can keep the item. @end

## Switch
If \`attributes["amount"] > 1000\`:
  - @switch [[Fraud review]]
`;

export const PROCEDURES: ReadonlyMap<string, ProcedureDocument> = new Map(
  [REFUND_CHECK, IDENTITY_CHECK, CREDIT_OR_REFUND].map((text) => {
    const document = parse(text).document;
    return [document.frontMatter!.header.name!, document];
  }),
);

export const REFUND = {
  find: 'step:find-the-order',
  age: 'step:check-the-order-age',
  refund: 'step:refund',
  code: 'step:check-the-order-age/code1',
  condition: 'step:check-the-order-age/cond1',
  tooOld: 'step:check-the-order-age/cond1/b1',
  recent: 'step:check-the-order-age/cond1/b2',
  handoff: 'step:check-the-order-age/handoff:billing-team',
  call: 'step:refund/call:identity-check',
  action: 'step:refund/action:payments.create_refund',
} as const;

/** Writes a trace the way the runtime does: a tool's effects come before its `tool_call` event. */
export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  private procedure = '';
  private stepId: string | null = null;

  private push(type: string, payload: Record<string, unknown>, stepId: string | null = this.stepId): this {
    this.events.push({ type, stepId, payload });
    return this;
  }

  customer(text = 'hello'): this {
    return this.push('customer_message', { text }, null);
  }

  modelCall(): this {
    return this.push('model_call', { ok: true, purpose: 'agent' });
  }

  start(procedure: string, firstStep: string, kind: 'main' | 'sub' | 'switched' = 'main'): this {
    this.procedure = procedure;
    this.push('procedure_start', { procedure, version: 'draft', kind }, firstStep);
    return this.enter(firstStep);
  }

  enter(stepId: string): this {
    if (this.stepId) this.push('step_exit', { procedure: this.procedure });
    this.stepId = stepId;
    return this.push('step_enter', { procedure: this.procedure, revisit: false });
  }

  end(procedure: string, summary: string | null = null, returnTo?: { procedure: string; stepId: string }): this {
    this.push('step_exit', { procedure });
    this.push('procedure_end', { procedure, summary });
    if (returnTo) {
      this.procedure = returnTo.procedure;
      this.stepId = returnTo.stepId;
    }
    return this;
  }

  attribute(name: string, value: unknown, source = 'customer'): this {
    return this.push('attribute_set', { name, value, source });
  }

  code(nodeId: string, ok = true): this {
    return this.push('code_run', ok ? { nodeId, ok, writes: {} } : { nodeId, ok, error: { message: 'boom' } });
  }

  python(nodeId: string, branchId: string, result: boolean): this {
    return this.push('condition', { nodeId, branchId, kind: 'python', test: '…', result, inputs: {} });
  }

  plain(nodeId: string, branchId: string): this {
    return this.push('condition', { nodeId, branchId, kind: 'plain', test: '…', reason: 'the customer said so' });
  }

  handoff(team: string, reason = 'procedure'): this {
    return this.push('handoff', { reason, team, summary: 'over to you', note: null });
  }

  enforced(nodeId: string, team: string): this {
    this.push('enforced', { nodeId, kind: 'handoff', target: team });
    return this.handoff(team, 'required by the Procedure');
  }

  /** A tool call: `effects` writes the events it caused, then the `tool_call` event closes it. */
  tool(name: string, input: Record<string, unknown>, effects: (trace: this) => void = () => undefined, outcome: { ok?: boolean; result?: string } = {}): this {
    effects(this);
    const ok = outcome.ok ?? true;
    return this.push('tool_call', { tool: name, input, ok, result: outcome.result ?? (ok ? 'Done.' : 'Refused: the reason.'), durationMs: 1 });
  }

  /** A connector action that ran and succeeded. */
  action(action: string, input: Record<string, unknown> = {}): this {
    return this.tool(action.replace('.', '__'), input, (trace) => trace.push('connector_call', { action, record: { ok: true } }), { result: '{"ok":true}' });
  }

  goTo(stepId: string): this {
    return this.tool('go_to_step', { step_id: stepId }, (trace) => trace.enter(stepId));
  }
}

export const refundTrace = () => new TraceBuilder().customer('I want a refund for order 988').start('Refund check', REFUND.find).modelCall();
