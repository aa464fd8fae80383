// Whole conversations through the real SDK and the fake Messages API (issue 12, item 4): the
// customer told when the model escalates by itself, the escalation team a Procedure names, the
// conversation open after a Procedure's end, and a routing call the model fails to answer.
import { describe, expect, it } from 'vitest';
import { EscalationPolicySchema } from '../../main/runtime/escalation';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { createHarness, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();
const policy = EscalationPolicySchema.parse({});
const routeToClaim = toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' });

describe('the model escalates by itself', () => {
  it('the customer is told, in the transcript, when the model escalated without a word', async () => {
    const harness = await createHarness({ sandbox, script: [routeToClaim, toolCalls(['escalate', { reason: 'stuck', summary: 'Cannot understand the request.' }], ['reply', { message: 'Too late.' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'asdf qwerty');
    expect(turn.status).toBe('escalated');
    expect(turn.replies).toEqual([policy.customerMessage]);
    expect(harness.messages(id)).toEqual([
      { role: 'customer', text: 'asdf qwerty' },
      { role: 'agent', text: policy.customerMessage },
    ]);
    await harness.close();
  });

  it('the model’s own reply in the turn is enough: no second message', async () => {
    const harness = await createHarness({
      sandbox,
      script: [routeToClaim, toolCalls(['reply', { message: 'Let me get someone.' }], ['escalate', { reason: 'stuck', summary: 'Cannot understand the request.' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'asdf qwerty');
    expect(turn.replies).toEqual(['Let me get someone.']);
    expect(harness.messages(id).filter((line) => line.role === 'agent')).toHaveLength(1);
    await harness.close();
  });
});
