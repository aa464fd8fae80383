// docs/runtime.md, escalation (and docs/procedure-language.md, front matter `escalation:`): an
// escalation goes to the team the innermost active Procedure names for its reason, or as its
// default; a sub-procedure that names none defers to its caller; with none, the workspace's team.
import { describe, expect, it } from 'vitest';
import { compileProcedure, type CompiledProcedure } from '../../../main/runtime/compiled-procedure';
import { escalationTeam } from '../../../main/runtime/escalation';
import { closeTurn, openTurn } from '../../../main/runtime/turn-rules';
import { call, conversation, frame, policy, PROCEDURES } from './support';

const compile = (text: string) => compileProcedure(text, 'draft');

const BILLING = compile(`---
name: Billing question
trigger: A question about a charge.
escalation:
  default: Tier 2
  connector_failures: Billing team
  customer_asked_for_human: Billing team
---

## Answer
Explain the charge with [[Check identity]].
`);

const SINGLE = compile(`---
name: Store hours
trigger: When the store is open.
escalation: Store staff
---

## Answer
Tell them.
`);

const CHECK_IDENTITY = compile(`---
name: Check identity
sub_procedure: true
---

## Ask
Ask who they are.
`);

const STRICT_SUB = compile(`---
name: Strict check
sub_procedure: true
escalation:
  loop: Trust and safety
---

## Ask
Ask who they are.
`);

const procedures: ReadonlyMap<string, CompiledProcedure> = new Map([...PROCEDURES, ...[BILLING, SINGLE, CHECK_IDENTITY, STRICT_SUB].map((p) => [p.name, p] as const)]);
const at = (...names: string[]) => conversation({ stack: names.map((name, index) => frame(name, procedures.get(name)!.steps[0]!.id, index === 0 ? 'main' : 'sub')) });

describe('which team an escalation goes to', () => {
  it('the team the Procedure names for the reason, else its default', () => {
    expect(escalationTeam(at('Billing question'), procedures, policy, 'connector_failures')).toBe('Billing team');
    expect(escalationTeam(at('Billing question'), procedures, policy, 'loop')).toBe('Tier 2');
    expect(escalationTeam(at('Store hours'), procedures, policy, 'stuck')).toBe('Store staff');
  });

  it('the workspace’s team when no active Procedure names one, or nothing is active', () => {
    expect(escalationTeam(at('Refund request'), procedures, policy, 'stuck')).toBe(policy.team);
    expect(escalationTeam(conversation({ stack: [] }), procedures, policy, 'stuck')).toBe(policy.team);
    expect(escalationTeam(at('Refund request'), procedures, { ...policy, team: 'Front desk' }, 'loop')).toBe('Front desk');
  });

  it('a sub-procedure that names no team defers to its caller; one that names it for this reason decides', () => {
    expect(escalationTeam(at('Billing question', 'Check identity'), procedures, policy, 'connector_failures')).toBe('Billing team');
    expect(escalationTeam(at('Billing question', 'Strict check'), procedures, policy, 'loop')).toBe('Trust and safety');
    // For another reason, the sub-procedure says nothing: the caller's team for it.
    expect(escalationTeam(at('Billing question', 'Strict check'), procedures, policy, 'stuck')).toBe('Tier 2');
  });

  it('a paused topic’s teams do not apply', () => {
    const state = conversation({ stack: [frame('Refund request', 'step:find-the-order')], paused: [[frame('Billing question', 'step:answer')]] });
    expect(escalationTeam(state, procedures, policy, 'stuck')).toBe(policy.team);
  });
});

describe('every way of escalating uses it', () => {
  it('the model’s escalate tool', () => {
    const escalated = call('escalate', { reason: 'stuck', summary: 'Going in circles' }, at('Billing question'), { procedures });
    expect(escalated.state.outcome).toMatchObject({ kind: 'escalated', reason: 'stuck', team: 'Tier 2' });
    expect(escalated.events.find((event) => event.type === 'escalation')!.payload).toMatchObject({ team: 'Tier 2', reason: 'stuck' });
  });

  it('the customer asking for a person', () => {
    const opened = openTurn(at('Billing question'), 'Can I talk to a real person?', { policy, procedures });
    expect(opened.change.state.outcome).toMatchObject({ reason: 'customer_asked_for_human', team: 'Billing team' });
  });

  it('a threshold crossed at the end of a turn', () => {
    const failing = at('Billing question');
    const state = { ...failing, progress: { ...failing.progress, connectorFailures: policy.connectorFailures, lastProgressTurn: failing.turn } };
    expect(closeTurn(state, false, [], { procedures, policy }).state.outcome).toMatchObject({ reason: 'connector_failures', team: 'Billing team' });
    const looping = { ...failing, progress: { ...failing.progress, loopStrikes: policy.repeatThreshold, lastProgressTurn: failing.turn } };
    expect(closeTurn(looping, false, [], { procedures, policy }).state.outcome).toMatchObject({ reason: 'loop', team: 'Tier 2' });
  });
});
