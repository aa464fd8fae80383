// Whole conversations through the real SDK and the fake Messages API (issue 12, item 4): the
// customer told when the model escalates by itself, the escalation team a Procedure names, the
// conversation open after a Procedure's end, and a routing call the model fails to answer.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceLine } from '../../main/cli/commands/chat';
import { importKnowledge } from '../../main/knowledge/import';
import { EscalationPolicySchema } from '../../main/runtime/escalation';
import { failedRouteEvent, readRoute, routeEvent, routingFailedEvent } from '../../main/runtime/routing';
import { describeEvent } from '../../main/simulations/trace-digest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { examplesDir } from '../support/paths';
import { createHarness, exampleWorkspace, useHarnessFixtures } from './harness';

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

describe('a routing call the model fails to answer', () => {
  it('is asked once more, told what was wrong, and the corrected answer starts the Procedure', async () => {
    const harness = await createHarness({
      sandbox,
      script: [toolCall('route', { procedure: 'Damaged claims', reason: 'damage' }), routeToClaim, toolCalls(['reply', { message: 'Sorry to hear that! What is your order number?' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'My kettle arrived broken');
    expect(turn.replies).toEqual(['Sorry to hear that! What is your order number?']);
    const routes = harness.trace(id).filter((event) => event.type === 'route' || event.type === 'routing_failed');
    expect(routes.map((event) => event.payload)).toEqual([
      { procedure: null, reason: '"Damaged claims" is not a live Procedure', valid: false, attempt: 1, method: 'model' },
      { procedure: 'Damaged order claim', reason: 'damage', valid: true, attempt: 2, method: 'model' },
    ]);
    expect((await harness.engine.state(id))!.stack.map((frame) => frame.procedure)).toEqual(['Damaged order claim']);
    const retry = harness.fake.requests[1]!.body;
    expect(retry.tool_choice).toEqual({ type: 'tool', name: 'route' });
    expect(JSON.stringify(retry.messages.at(-1))).toContain('\\"Damaged claims\\" is not a live Procedure');
    await harness.close();
  });

  it('fails twice: recorded as routing_failed, the agent answers without a Procedure, and the next message is routed again', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        { content: [{ type: 'text', text: 'Damaged order claim' }] },
        toolCall('route', { procedure: 'Damaged order claim' }),
        toolCalls(['reply', { message: 'I am sorry about your kettle. Could you tell me a bit more?' }]),
        // The next message: routed afresh, and this time it works.
        routeToClaim,
        toolCalls(['reply', { message: 'Thanks. What is your order number?' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const first = await harness.engine.send(id, 'My kettle arrived broken');
    expect(first.status).toBe('waiting');
    expect(first.replies).toEqual(['I am sorry about your kettle. Could you tell me a bit more?']);
    const failed = first.trace.find((event) => event.type === 'routing_failed')!;
    expect(failed.payload).toMatchObject({ attempts: 2, problems: ['the model did not call route', expect.stringMatching(/^the route answer could not be read/)] });
    expect(first.trace.filter((event) => event.type === 'route').every((event) => event.payload.valid === false)).toBe(true);
    expect((await harness.engine.state(id))!.stack).toEqual([]);

    const second = await harness.engine.send(id, 'It is order 1043, the lid is cracked');
    expect(harness.fake.requests[3]!.body.tool_choice).toEqual({ type: 'tool', name: 'route' });
    expect(second.trace.find((event) => event.type === 'route')!.payload).toMatchObject({ procedure: 'Damaged order claim', valid: true, attempt: 1 });
    expect((await harness.engine.state(id))!.stack.map((frame) => frame.procedure)).toEqual(['Damaged order claim']);
    await harness.close();
  });

  it('a valid “none” is not a failure and is not asked again', async () => {
    const harness = await createHarness({ sandbox, script: [toolCall('route', { procedure: null, reason: 'a greeting' }), toolCalls(['reply', { message: 'Hello! How can I help?' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Hello');
    expect(turn.trace.filter((event) => event.type === 'route').map((event) => event.payload)).toEqual([{ procedure: null, reason: 'a greeting', valid: true, attempt: 1, method: 'model' }]);
    expect(turn.trace.some((event) => event.type === 'routing_failed')).toBe(false);
    expect(harness.fake.requests).toHaveLength(2);
    await harness.close();
  });
});

const BILLING = `---
name: Billing question
trigger: The customer asks about a charge on their card.
escalation:
  default: Tier 2
  customer_asked_for_human: Billing team
---

## Answer
Explain the charge.
`;

describe('the escalation team a Procedure names', () => {
  const billingWorkspace = () => {
    const workspace = exampleWorkspace();
    workspace.procedures.create(BILLING);
    return workspace;
  };
  const routeToBilling = toolCall('route', { procedure: 'Billing question', reason: 'a charge' });

  it('takes the model’s escalation, by the Procedure’s default', async () => {
    const harness = await createHarness({ sandbox, workspace: billingWorkspace(), script: [routeToBilling, toolCalls(['escalate', { reason: 'stuck', summary: 'Unknown charge.' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'What is this $40 charge?');
    expect(turn.outcome).toEqual({ kind: 'escalated', reason: 'stuck', team: 'Tier 2', summary: 'Unknown charge.' });
    expect(harness.trace(id).find((event) => event.type === 'escalation')!.payload).toMatchObject({ team: 'Tier 2' });
    await harness.close();
  });

  it('takes a request for a person, by its reason', async () => {
    const harness = await createHarness({ sandbox, workspace: billingWorkspace(), script: [routeToBilling, toolCalls(['reply', { message: 'Let me look at that charge.' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'What is this $40 charge?');
    const turn = await harness.engine.send(id, 'I want to talk to a real person');
    expect(turn.outcome).toMatchObject({ kind: 'escalated', reason: 'customer_asked_for_human', team: 'Billing team' });
    expect(harness.fake.requests).toHaveLength(2);
    await harness.close();
  });

  it('falls back to the workspace’s escalation team where the Procedure names none', async () => {
    const harness = await createHarness({ sandbox, engine: { escalation: { team: 'Front desk' } }, script: [routeToClaim, toolCalls(['escalate', { reason: 'stuck', summary: 'Lost.' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    expect((await harness.engine.send(id, 'My kettle arrived broken')).outcome).toMatchObject({ kind: 'escalated', team: 'Front desk' });
    await harness.close();
  });
});

const GIFT = `---
name: Gift wrapping
trigger: The customer asks to gift-wrap an order.
---

## Wrap
Tell them gift wrapping is free and you have added it. @end
`;

describe('after a Procedure ends with @end', () => {
  it('the conversation stays open: the reply after the end is sent, a question matching nothing gets a knowledge answer, and a new request starts its own Procedure', async () => {
    const workspace = exampleWorkspace();
    workspace.procedures.create(GIFT);
    importKnowledge(workspace.knowledge, join(examplesDir, 'knowledge'));
    const harness = await createHarness({
      sandbox,
      workspace,
      script: [
        toolCall('route', { procedure: 'Gift wrapping', reason: 'gift wrap' }),
        // The model ends the Procedure first, then replies: the reply is not lost.
        toolCalls(['end_procedure', { summary: 'Gift wrap added.' }], ['reply', { message: 'Done, gift wrapping is free and added. Anything else?' }]),
        // A question no Procedure matches: answered from the knowledge hub, no Procedure resumed.
        toolCall('route', { procedure: null, reason: 'A question.' }),
        toolCalls(['search_knowledge', { query: 'where do I find my order number' }]),
        toolCalls(['reply', { message: 'Your order number is in your confirmation email.' }]),
        // A request matching another Procedure's trigger: that one starts.
        toolCall('route', { procedure: 'Cancel subscription', reason: 'cancel' }),
        toolCalls(['reply', { message: 'I can help with that. First, what is the email on your account?' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });

    const first = await harness.engine.send(id, 'Can you gift-wrap my order?');
    expect(first.replies).toEqual(['Done, gift wrapping is free and added. Anything else?']);
    expect(first).toMatchObject({ status: 'waiting', outcome: null });
    expect(first.trace.find((event) => event.type === 'procedure_end')!.payload).toMatchObject({ procedure: 'Gift wrapping', complete: true });
    expect(first.trace.some((event) => event.type === 'conversation_end')).toBe(false);
    expect(harness.workspace.conversations.get(id)!.status).toBe('waiting');

    const second = await harness.engine.send(id, 'Where do I find my order number?');
    expect(second.trace.find((event) => event.type === 'route')!.payload).toMatchObject({ procedure: null, valid: true });
    expect(second.trace.find((event) => event.type === 'knowledge_search')!.payload).toMatchObject({ query: 'where do I find my order number' });
    expect(second.replies).toEqual(['Your order number is in your confirmation email.']);
    expect(second.trace.some((event) => event.type.startsWith('procedure_'))).toBe(false);

    const third = await harness.engine.send(id, 'I want to cancel my subscription');
    expect(third.trace.find((event) => event.type === 'route')!.payload).toMatchObject({ procedure: 'Cancel subscription', valid: true });
    const state = (await harness.engine.state(id))!;
    expect(state.stack.map((frame) => frame.procedure)).toEqual(['Cancel subscription']);
    expect(state.paused).toEqual([]);
    expect(harness.messages(id).map((line) => line.role)).toEqual(['customer', 'agent', 'customer', 'agent', 'customer', 'agent']);
    await harness.close();
  });
});

describe('how a routing failure reads', () => {
  const failed = readRoute([{ name: 'Refund request', trigger: 'money back' }], [{ type: 'tool_use', id: 'toolu_1', name: 'route', input: { procedure: 'Refund', reason: 'x' } } as never]);
  if (failed.kind !== 'failed') throw new Error('expected a failure');
  const attempt = failedRouteEvent(failed, 1);
  const gaveUp = routingFailedEvent(['the model did not call route', failed.problem]);

  it('in the trace: a failed attempt is a route that did not count, never “no Procedure”', () => {
    expect(attempt).toEqual({ type: 'route', payload: { procedure: null, reason: '"Refund" is not a live Procedure', valid: false, attempt: 1, method: 'model' } });
    expect(routeEvent({ kind: 'none', reason: 'a greeting' }, 2)).toEqual({ type: 'route', payload: { procedure: null, reason: 'a greeting', valid: true, attempt: 2, method: 'model' } });
  });

  it('in stepwise chat and in the digest the simulation judge reads', () => {
    expect(traceLine(attempt)).toBe('route answer not understood: "Refund" is not a live Procedure');
    expect(traceLine(gaveUp)).toBe('routing failed ("Refund" is not a live Procedure): no Procedure for this message');
    expect(describeEvent(attempt)).toBe('routing answer not understood: "Refund" is not a live Procedure');
    expect(describeEvent(gaveUp)).toMatch(/^routing failed \("Refund" is not a live Procedure\): the agent went on without a Procedure$/);
    expect(describeEvent(routeEvent({ kind: 'none', reason: 'a greeting' }, 1))).toBe('routed to no Procedure (a greeting)');
  });
});
