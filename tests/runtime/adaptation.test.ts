// The agent adapts to the customer: new information mid-step, going back, a change of topic and
// the return to the first Procedure, sub-procedures that come back, and resuming after a restart.
import { describe, expect, it } from 'vitest';
import { ConversationEngine } from '../../main/runtime/engine';
import { Workspace } from '../../main/store/workspace';
import { reply, toolCall, toolCalls } from '../support/fake-anthropic';
import { join } from 'node:path';
import { importKnowledge } from '../../main/knowledge/import';
import { examplesDir } from '../support/paths';
import type { ConversationPersistence } from '../../main/runtime/types';
import { WorkspacePersistence } from '../../main/runtime/workspace-services';
import { createHarness, exampleWorkspace, InMemoryConnectors, shopConnectors, useHarnessFixtures } from './harness';

/** The shop's connectors, and a subscription that is already cancelled. */
function withSubscription(): InMemoryConnectors {
  const shop = shopConnectors();
  const passThrough = (action: string) => ({ info: shop.describe(action)!, handler: (input: Record<string, unknown>) => shop.execute(action, input) });
  return new InMemoryConnectors({
    ...Object.fromEntries(['shop.get_order', 'accounts.send_code', 'accounts.check_code'].map((action) => [action, passThrough(action)])),
    'billing.get_subscription': { handler: () => ({ ok: true, data: { status: 'canceled', started_on: '2026-01-10' } }) },
  });
}

const sandbox = useHarnessFixtures();

/** The model's first turn on a damage claim: order 1043 found, on to "Understand the damage", asking what is damaged. */
const UP_TO_THE_DAMAGE = [
  toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' }),
  toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
  toolCalls(['go_to_step', { step_id: 'step:check-the-claim-window' }]),
  toolCalls(['go_to_step', { step_id: 'step:understand-the-damage' }], ['reply', { message: 'What is damaged?' }]),
];

describe('a customer who interrupts with new information mid-step', () => {
  it('records everything given at once, lets the runtime run what it unblocks, and skips ahead', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        toolCall('route', { procedure: 'Damaged order claim', reason: 'broken kettle' }),
        toolCalls(['reply', { message: 'Sorry! What is your order number?' }]),
        // The customer answers with the order number and the whole story at once.
        toolCalls(
          ['set_attributes', { values: { order_number: '1043', damage_description: 'The glass jug shattered', preferred_resolution: 'replacement' } }],
          ['shop__get_order', { order_number: '1043' }],
        ),
        toolCalls(['go_to_step', { step_id: 'step:check-the-claim-window' }]),
        toolCalls(['go_to_step', { step_id: 'step:resolve' }], ['reply', { message: 'Thanks, I have everything. First, let me verify your identity.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'My kettle broke');
    const turn = await harness.engine.send(id, 'Order 1043, the glass jug shattered, I want a replacement');
    expect(turn.replies).toEqual(['Thanks, I have everything. First, let me verify your identity.']);
    const state = (await harness.engine.state(id))!;
    expect(Object.fromEntries(Object.entries(state.attributes).map(([k, v]) => [k, v.value]))).toEqual({
      order_number: '1043',
      damage_description: 'The glass jug shattered',
      preferred_resolution: 'replacement',
      days_since_delivery: 15,
    });
    // At "Resolve", the Python condition already has its input, so the runtime picked the branch on entry.
    expect(state.stack[0]!.stepId).toBe('step:resolve');
    expect(state.stack[0]!.decided['step:resolve/cond1']).toBe('step:resolve/cond1/b2');
    await harness.close();
  });
});

describe('going back to an earlier step', () => {
  it('moves back, marks the revisit, and forgets what was decided in the step before', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        ...UP_TO_THE_DAMAGE,
        // "Actually, wrong order number": back to the first step.
        toolCalls(['set_attributes', { values: { order_number: '1044' } }], ['go_to_step', { step_id: 'step:find-the-order', reason: 'The customer corrected the order number.' }], ['shop__get_order', { order_number: '1044' }]),
        toolCalls(['reply', { message: 'Found order 1044. What is damaged?' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'Broken item, order 1043');
    await harness.engine.send(id, 'Sorry, wrong order, it is 1044');
    const trace = harness.trace(id);
    const enters = trace.filter((e) => e.type === 'step_enter').map((e) => [e.stepId, e.payload.revisit]);
    expect(enters).toEqual([
      ['step:find-the-order', false],
      ['step:check-the-claim-window', false],
      ['step:understand-the-damage', false],
      ['step:find-the-order', true],
    ]);
    const state = (await harness.engine.state(id))!;
    expect(state.stack[0]!.stepId).toBe('step:find-the-order');
    expect(state.attributes.order_number!.value).toBe('1044');
    expect(harness.connectors.calls.map((c) => c.input)).toEqual([{ order_number: '1043' }, { order_number: '1044' }]);
    await harness.close();
  });
});

describe('a change of topic', () => {
  it('pauses the first Procedure, runs the second, and resumes the first where it was', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        ...UP_TO_THE_DAMAGE,
        // Topic switch.
        toolCalls(['start_procedure', { name: 'Cancel subscription', reason: 'The customer wants to cancel their membership first.' }]),
        toolCalls(['run_subprocedure', { name: 'Verify identity' }]),
        toolCalls(['reply', { message: 'Sure. First, what is the email on your account?' }]),
        toolCalls(['set_attributes', { values: { email: 'sam@example.com' } }], ['accounts__send_code', { email: 'sam@example.com' }], ['go_to_step', { step_id: 'step:check-the-code' }]),
        toolCalls(['reply', { message: 'What is the code?' }]),
        // Verified; the subscription turns out to be cancelled already: that Procedure ends where it
        // says @end, and the claim resumes.
        toolCalls(['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { code: '123456' }]),
        toolCalls(['end_procedure', { summary: 'Verified.' }], ['billing__get_subscription', {}]),
        toolCalls(['end_procedure', { summary: 'Already cancelled.' }]),
        toolCalls(['reply', { message: 'It was already cancelled. Back to your kettle: what exactly is damaged?' }]),
      ],
      connectors: withSubscription(),
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'My kettle is broken, order 1043');
    await harness.engine.send(id, 'Actually, before that, I want to cancel my membership');
    expect((await harness.engine.state(id))!.paused).toHaveLength(1);
    expect((await harness.engine.state(id))!.stack.map((f) => f.procedure)).toEqual(['Cancel subscription', 'Verify identity']);
    await harness.engine.send(id, 'sam@example.com');
    const back = await harness.engine.send(id, '123456');
    expect(back.replies).toEqual(['It was already cancelled. Back to your kettle: what exactly is damaged?']);
    const state = (await harness.engine.state(id))!;
    expect(state.paused).toEqual([]);
    expect(state.stack).toHaveLength(1);
    expect(state.stack[0]).toMatchObject({ procedure: 'Damaged order claim', stepId: 'step:understand-the-damage' });
    const kinds = harness.trace(id).filter((e) => e.type.startsWith('procedure_')).map((e) => `${e.type} ${e.payload.procedure}`);
    expect(kinds).toEqual([
      'procedure_start Damaged order claim',
      'procedure_pause Damaged order claim',
      'procedure_start Cancel subscription',
      'procedure_start Verify identity',
      'procedure_end Verify identity',
      'procedure_end Cancel subscription',
      'procedure_resume Damaged order claim',
    ]);
    await harness.close();
  });
});

describe('@switch', () => {
  it('leaves the Procedure for good when it says @switch, and records @tag labels on the way', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        toolCall('route', { procedure: 'Refund request', reason: 'refund' }),
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }], ['go_to_step', { step_id: 'step:understand-the-reason' }]),
        toolCalls(
          ['decide_condition', { condition_id: 'step:understand-the-reason/cond1', branch_id: 'step:understand-the-reason/cond1/b1', reason: 'It arrived broken.' }],
          ['reply', { message: "I'll handle this as a damage claim instead, which is faster for you." }],
          ['start_procedure', { name: 'Damaged order claim', reason: 'The Procedure switches here.' }],
        ),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'I want a refund for order 1043, it arrived broken');
    const state = (await harness.engine.state(id))!;
    expect(state.stack.map((frame) => [frame.procedure, frame.kind])).toEqual([['Damaged order claim', 'switched']]);
    expect(state.paused).toEqual([]);
    expect(state.tags).toEqual(['refund-request']);
    const ends = harness.trace(id).filter((e) => e.type === 'procedure_end').map((e) => e.payload);
    expect(ends).toEqual([{ procedure: 'Refund request', summary: 'switched to Damaged order claim' }]);
    expect(harness.trace(id).find((e) => e.type === 'tag')).toMatchObject({ stepId: 'step:find-the-order', payload: { tag: 'refund-request' } });
    await harness.close();
  });
});

describe('a sub-procedure', () => {
  it('returns to the step that called it, and only runs when that Procedure calls it', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        toolCall('route', { procedure: 'Cancel subscription', reason: 'cancel' }),
        // Cancel subscription calls [[Verify identity]], but not [[Damaged order claim]].
        toolCalls(['run_subprocedure', { name: 'Damaged order claim' }]),
        toolCalls(['run_subprocedure', { name: 'Verify identity' }]),
        toolCalls(['reply', { message: 'What is your email?' }]),
        toolCalls(['set_attributes', { values: { email: 'sam@example.com' } }], ['accounts__send_code', { email: 'sam@example.com' }], ['go_to_step', { step_id: 'step:check-the-code' }]),
        toolCalls(['reply', { message: 'What is the code?' }]),
        toolCalls(['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { code: '123456' }], ['end_procedure', {}]),
        toolCalls(['reply', { message: 'Thanks. Now, your subscription.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'I want to cancel');
    const refused = harness.trace(id).find((e) => e.type === 'tool_call' && e.payload.tool === 'run_subprocedure' && e.payload.ok === false);
    expect(refused?.payload.result).toContain('not a sub-procedure the active Procedure calls');
    expect((await harness.engine.state(id))!.stack.map((f) => f.procedure)).toEqual(['Cancel subscription', 'Verify identity']);
    await harness.engine.send(id, 'sam@example.com');
    await harness.engine.send(id, '123456');
    const state = (await harness.engine.state(id))!;
    expect(state.stack.map((f) => [f.procedure, f.stepId])).toEqual([['Cancel subscription', 'step:look-up-the-subscription']]);
    await harness.close();
  });
});

describe('answers without a Procedure', () => {
  it('searches the knowledge hub when no Procedure matches, and cites the article in the trace', async () => {
    const workspace = exampleWorkspace();
    importKnowledge(workspace.knowledge, join(examplesDir, 'knowledge'));
    const harness = await createHarness({
      sandbox,
      workspace,
      script: [
        toolCall('route', { procedure: null, reason: 'A question about where to find something.' }),
        toolCalls(['search_knowledge', { query: 'where do I find my order number' }]),
        toolCalls(['reply', { message: 'Your order number is in your confirmation email.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Where do I find my order number?');
    expect(turn.replies).toEqual(['Your order number is in your confirmation email.']);
    const search = harness.trace(id).find((e) => e.type === 'knowledge_search')!;
    const hits = search.payload.hits as { id: number; title: string }[];
    expect(search.payload.query).toBe('where do I find my order number');
    expect(hits[0]!.title).toBe('Where to find your order number');
    // The model saw the article's text, and the reply came after it.
    expect(JSON.stringify(harness.fake.requests[2]!.body.messages.at(-1))).toContain('Where to find your order number');
    expect((await harness.engine.state(id))!.stack).toEqual([]);
    await harness.close();
  });
});

describe('resuming after a restart', () => {
  it('carries on from the persisted state with a new engine', async () => {
    const workspace = exampleWorkspace();
    const first = await createHarness({
      sandbox,
      workspace,
      script: [toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' }), toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['reply', { message: 'Looking into order 1043.' }])],
    });
    const id = await first.engine.start({ kind: 'production' });
    await first.engine.send(id, 'Broken kettle, order 1043');
    await first.close();

    // A new process: a new engine over the same workspace file, opened again.
    const reopened = Workspace.open(workspace.path);
    const second = await createHarness({ sandbox, workspace: reopened, script: [toolCalls(['reply', { message: 'Still on order 1043: what is damaged?' }])] });
    expect(second.engine).not.toBe(first.engine as unknown as ConversationEngine);
    const turn = await second.engine.send(id, 'Hello?');
    expect(turn.replies).toEqual(['Still on order 1043: what is damaged?']);
    // Only the agent call: no new routing, because the Procedure was already active.
    expect(second.fake.requests).toHaveLength(1);
    const sent = JSON.stringify(second.fake.requests[0]!.body.messages);
    expect(sent).toContain('Broken kettle, order 1043');
    // The value set before the restart: in the history the model is sent (its own call, which the
    // state does not repeat) and in the state the new engine carries on from.
    expect(sent).toContain('"values":{"order_number":"1043"}');
    expect((await second.engine.state(id))!.attributes.order_number?.value).toBe('1043');
    expect((await second.engine.state(id))!.turn).toBe(2);
    await second.close();
  });

  it('loses nothing when saving a turn fails: the next turn starts from the last saved state', async () => {
    const workspace = exampleWorkspace();
    const store = new WorkspacePersistence(workspace);
    let failNext = false;
    const persistence: ConversationPersistence = {
      create: (kind) => store.create(kind),
      load: (id) => store.load(id),
      saveTurn: (...args) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        return store.saveTurn(...args);
      },
    };
    const harness = await createHarness({
      sandbox,
      workspace,
      engine: { persistence },
      script: [
        toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' }),
        toolCalls(['reply', { message: 'What is your order number?' }]),
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['reply', { message: 'Thanks.' }]),
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['reply', { message: 'Thanks, 1043.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'My kettle is broken');
    failNext = true;
    await expect(harness.engine.send(id, 'Order 1043')).rejects.toThrow('disk full');
    const retried = await harness.engine.send(id, 'Order 1043, again');
    expect(retried.replies).toEqual(['Thanks, 1043.']);
    const state = (await harness.engine.state(id))!;
    expect(state.turn).toBe(2);
    expect(state.transcript.map((line) => line.text)).toEqual(['My kettle is broken', 'What is your order number?', 'Order 1043, again', 'Thanks, 1043.']);
    await harness.close();
  });

  void reply;
});
