// Fewer model calls per customer turn (issue 14), through the real SDK against the fake Messages
// API, the real sandbox and a real workspace: routing by a clear trigger match, read-only lookups
// the runtime makes itself, and a reply bundled with deterministic work, which is held back when
// the runtime did something the reply cannot have accounted for. Every guarantee of the enforcement
// model still holds: each trace passes the conformance checker.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectorDefinitionSchema } from '../../main/connectors/definition';
import { RuntimeConnectors } from '../../main/connectors/runtime-connectors';
import { checkConformance } from '../../main/conformance';
import { parse } from '../../shared/procedure';
import { toolCall, toolCalls, type RecordedRequest } from '../support/fake-anthropic';
import { examplesDir } from '../support/paths';
import { createHarness, exampleWorkspace, InMemoryConnectors, SHOP_ORDER, shopConnectors, useHarnessFixtures, type Harness } from './harness';

const sandbox = useHarnessFixtures();

const MATCHING = { routeByTriggerMatch: true };

/** The shop's connectors as the workspace declares them: shop.get_order is a GET, so read-only. */
const readOnlyShop = (overrides: Parameters<typeof shopConnectors>[0] = {}) => shopConnectors(overrides, { declared: true });

const isRouting = (request: RecordedRequest) => (request.body.tool_choice as { type?: string; name?: string } | undefined)?.name === 'route';

function conformance(harness: Harness, id: number) {
  const documents = new Map(harness.workspace.procedures.list().map((record) => [record.name, parse(record.draftText).document]));
  return checkConformance(documents, harness.trace(id));
}

describe('routing by a clear trigger match', () => {
  it('starts the Procedure without the routing call, and its first agent call already holds the Procedure', async () => {
    const harness = await createHarness({ sandbox, engine: MATCHING, script: [toolCalls(['reply', { message: 'Sorry to hear that! What is your order number?' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Hi, my kettle arrived broken.');
    expect(turn.modelCalls).toBe(1);
    expect(harness.fake.requests.some(isRouting)).toBe(false);
    expect(JSON.stringify(harness.fake.requests[0]!.body.system)).toContain('## Check the claim window');
    const route = turn.trace.find((event) => event.type === 'route')!;
    expect(route.payload).toMatchObject({ procedure: 'Damaged order claim', valid: true, method: 'match', attempt: 0 });
    expect(turn.trace.find((event) => event.type === 'procedure_start')!.payload.procedure).toBe('Damaged order claim');
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('an ambiguous message still gets the routing call, and the trace says why', async () => {
    const harness = await createHarness({
      sandbox,
      engine: MATCHING,
      script: [toolCall('route', { procedure: 'Damaged order claim', reason: 'damage first' }), toolCalls(['reply', { message: 'Sorry! What is your order number?' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    // Both the damage claim's and the refund's triggers match this alike.
    const turn = await harness.engine.send(id, 'My kettle arrived broken and I want my money back');
    expect(turn.modelCalls).toBe(2);
    expect(isRouting(harness.fake.requests[0]!)).toBe(true);
    expect(turn.trace.find((event) => event.type === 'route')!.payload).toMatchObject({ procedure: 'Damaged order claim', method: 'model', unclear: expect.stringContaining('match alike') });
    await harness.close();
  });

  it('a message that matches no trigger gets the routing call, which may answer none', async () => {
    const harness = await createHarness({ sandbox, engine: MATCHING, script: [toolCall('route', { procedure: null, reason: 'a greeting' }), toolCalls(['reply', { message: 'Hello! How can I help?' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Hello there');
    expect(isRouting(harness.fake.requests[0]!)).toBe(true);
    expect(turn.trace.find((event) => event.type === 'route')!.payload).toMatchObject({ procedure: null, method: 'model', unclear: 'no trigger matches clearly' });
    expect(turn.replies).toEqual(['Hello! How can I help?']);
    await harness.close();
  });
});

describe('read-only actions the runtime calls itself', () => {
  it('looks the order up before the first call when its input is known, and the model sees the result in that call', async () => {
    const harness = await createHarness({ sandbox, connectors: readOnlyShop(), script: [toolCalls(['reply', { message: 'I found order 1043. What is damaged?' }])] });
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Damaged order claim', attributes: { order_number: '1043' } });
    const turn = await harness.engine.send(id, 'My kettle arrived broken');
    expect(turn.modelCalls).toBe(1);
    expect(harness.connectors.calls).toEqual([{ action: 'shop.get_order', input: { order_number: '1043' } }]);
    const sent = JSON.stringify(harness.fake.requests[0]!.body.messages);
    expect(sent).toContain('2026-11-10');
    expect(sent).toContain('The runtime called @shop.get_order');
    const call = turn.trace.find((event) => event.type === 'tool_call')!;
    expect(call.payload).toMatchObject({ tool: 'shop__get_order', input: { order_number: '1043' }, ok: true, eager: true });
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('once the model records the input, in the same response: its move past the claim window and its reply go through in one call', async () => {
    const harness = await createHarness({
      sandbox,
      engine: MATCHING,
      connectors: readOnlyShop(),
      script: [
        toolCalls(
          ['set_attributes', { values: { order_number: '1043' } }],
          ['go_to_step', { step_id: 'step:understand-the-damage' }],
          ['reply', { message: 'Sorry to hear that! What exactly is damaged?' }],
        ),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Hi, my kettle arrived broken. Order 1043.');
    expect(turn.modelCalls).toBe(1);
    expect(turn.replies).toEqual(['Sorry to hear that! What exactly is damaged?']);
    expect(harness.connectors.calls).toHaveLength(1);
    const state = (await harness.engine.state(id))!;
    expect(state.stack[0]!.stepId).toBe('step:understand-the-damage');
    expect(state.attributes.days_since_delivery!.value).toBe(15);
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('is not called twice for the same input, and a model that ignores the result and asks again gets it without a second call', async () => {
    const harness = await createHarness({
      sandbox,
      connectors: readOnlyShop(),
      script: [toolCalls(['shop__get_order', { order_number: '1043' }]), toolCalls(['reply', { message: 'What is damaged?' }]), toolCalls(['reply', { message: 'Noted.' }])],
    });
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Damaged order claim', attributes: { order_number: '1043' } });
    await harness.engine.send(id, 'My kettle arrived broken');
    await harness.engine.send(id, 'The lid');
    // One by the runtime; the model asking again in the same turn gets that result; none on the second turn.
    expect(harness.connectors.calls.map((call) => call.action)).toEqual(['shop.get_order']);
    const calls = harness.trace(id).filter((event) => event.type === 'tool_call' && event.payload.tool === 'shop__get_order');
    expect(calls.map((event) => [event.payload.eager ?? false, event.payload.ok])).toEqual([
      [true, true],
      [false, true],
    ]);
    expect(JSON.parse(calls[1]!.payload.result as string)).toMatchObject({ order_number: '1043', delivered_on: '2026-11-10' });
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('a model that ignores what the lookup found cannot reply past it: an old order is handed to the Claims team, and the reply written blind is never shown', async () => {
    const old = { ...SHOP_ORDER, delivered_on: '2026-09-01' };
    const harness = await createHarness({
      sandbox,
      engine: MATCHING,
      connectors: readOnlyShop({ 'shop.get_order': () => ({ ok: true, data: old }) }),
      script: [
        toolCalls(
          ['set_attributes', { values: { order_number: '1043' } }],
          ['go_to_step', { step_id: 'step:understand-the-damage' }],
          ['reply', { message: 'Sorry to hear that! What exactly is damaged?' }],
        ),
        toolCalls(['reply', { message: 'I am sorry: damage claims must be made within 30 days of delivery. Our Claims team will take it from here.' }], ['handoff', { team: 'Claims team', summary: 'Order 1043, delivered 85 days ago.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Hi, my kettle arrived broken. Order 1043.');
    expect(turn.replies).toEqual(['I am sorry: damage claims must be made within 30 days of delivery. Our Claims team will take it from here.']);
    expect(turn.outcome).toMatchObject({ kind: 'handed_off', team: 'Claims team' });
    const held = harness.trace(id).find((event) => event.type === 'reply_held')!;
    expect(held.payload).toMatchObject({ text: 'Sorry to hear that! What exactly is damaged?' });
    expect(harness.messages(id).map((message) => message.text)).not.toContain('Sorry to hear that! What exactly is damaged?');
    // The model was told why, in its next call.
    expect(JSON.stringify(harness.fake.requests[1]!.body.messages)).toContain('Not sent to the customer');
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('a failed lookup reaches the model, which must see it before the turn ends', async () => {
    const harness = await createHarness({
      sandbox,
      connectors: readOnlyShop({ 'shop.get_order': () => ({ ok: false, error: 'no order 1043' }) }),
      script: [toolCalls(['reply', { message: 'I could not find order 1043. Could you check the number?' }])],
    });
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Damaged order claim', attributes: { order_number: '1043' } });
    const turn = await harness.engine.send(id, 'My kettle arrived broken');
    expect(turn.trace.find((event) => event.type === 'tool_call')!.payload).toMatchObject({ tool: 'shop__get_order', ok: false, eager: true });
    expect(JSON.stringify(harness.fake.requests[0]!.body.messages)).toContain('it failed');
    expect(turn.replies).toEqual(['I could not find order 1043. Could you check the number?']);
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('never calls a side-effecting action or a confirm action itself, even with every input known', async () => {
    const workspace = exampleWorkspace();
    workspace.procedures.create(`---
name: Order desk
trigger: The customer asks the order desk for something.
attributes:
  order_number:
    type: string
  email:
    type: string
---

## Handle it
Look the order up with @shop.get_order. File a ticket with @tickets.create_issue.
Send a code with @accounts.send_code. Replace it with @shop.create_replacement once they agree.
`);
    const connectors = new InMemoryConnectors({
      'shop.get_order': { info: { readOnly: true, inputSchema: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] } }, handler: () => ({ ok: true, data: SHOP_ORDER }) },
      // Writes: one undeclared, one that even claims to be read-only but needs agreement.
      'tickets.create_issue': { info: { inputSchema: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] } }, handler: () => ({ ok: true, data: { id: 'LIN-1' } }) },
      'accounts.send_code': { info: { readOnly: false, inputSchema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] } }, handler: () => ({ ok: true, data: { sent: true } }) },
      'shop.create_replacement': {
        info: { readOnly: true, confirm: true, inputSchema: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] } },
        handler: () => ({ ok: true, data: { replacement_order: '1099' } }),
      },
    });
    const harness = await createHarness({ sandbox, workspace, connectors, script: [toolCalls(['reply', { message: 'How can I help with order 1043?' }])] });
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Order desk', attributes: { order_number: '1043', email: 'sam@example.com' } });
    await harness.engine.send(id, 'Hello');
    expect(connectors.calls).toEqual([{ action: 'shop.get_order', input: { order_number: '1043' } }]);
    expect((await harness.engine.state(id))!.pendingConfirmation).toBeNull();
    await harness.close();
  });
});

describe('a reply bundled with deterministic work', () => {
  const AGE_CHECK = `---
name: Age check
trigger: The customer wants to join the club.
attributes:
  age:
    type: number
---

## Ask
Ask for their age and collect {age}.
If \`attributes["age"] < 18\`:
  - Explain that members under 18 join through the Guardian team. @handoff Guardian team
Otherwise:
  - Continue to the next step.

## Welcome
Welcome them to the club. @end
`;

  async function ageHarness(script: Parameters<typeof createHarness>[0]['script']) {
    const workspace = exampleWorkspace();
    workspace.procedures.create(AGE_CHECK);
    return createHarness({ sandbox, workspace, script });
  }

  it('goes out in the same call when the runtime decided nothing the reply could not foresee', async () => {
    const harness = await ageHarness([toolCalls(['set_attributes', { values: { age: 30 } }], ['go_to_step', { step_id: 'step:welcome' }], ['reply', { message: 'Welcome to the club!' }])]);
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Age check' });
    const turn = await harness.engine.send(id, 'I am 30');
    expect(turn.modelCalls).toBe(1);
    expect(turn.replies).toEqual(['Welcome to the club!']);
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  for (const order of ['attribute first', 'reply first'] as const) {
    it(`is held back when the attribute makes a Python branch require a handoff (${order})`, async () => {
      const set = ['set_attributes', { values: { age: 12 } }] as [string, unknown];
      const reply = ['reply', { message: 'Great, you are all set!' }] as [string, unknown];
      const harness = await ageHarness([
        order === 'attribute first' ? toolCalls(set, reply) : toolCalls(reply, set),
        toolCalls(['reply', { message: 'Members under 18 join through our Guardian team: I am passing you to them.' }], ['handoff', { team: 'Guardian team', summary: 'Age 12.' }]),
      ]);
      const id = await harness.engine.start({ kind: 'preview', procedure: 'Age check' });
      const turn = await harness.engine.send(id, 'I am 12');
      expect(turn.replies).toEqual(['Members under 18 join through our Guardian team: I am passing you to them.']);
      expect(turn.outcome).toMatchObject({ kind: 'handed_off', team: 'Guardian team' });
      expect(harness.trace(id).find((event) => event.type === 'reply_held')!.payload.reasons).toEqual([expect.stringContaining('a handoff to Guardian team')]);
      expect(conformance(harness, id)).toEqual([]);
      await harness.close();
    });
  }

  it('held back and the model still does not hand off: the runtime makes the handoff, and the customer never sees the contradiction', async () => {
    const harness = await ageHarness([toolCalls(['set_attributes', { values: { age: 12 } }], ['reply', { message: 'Great, you are all set!' }]), toolCalls(['reply', { message: 'Thanks! One moment.' }])]);
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Age check' });
    const turn = await harness.engine.send(id, 'I am 12');
    // The held reply's call counted as the extra call a required handoff gets: no third call.
    expect(turn.modelCalls).toBe(2);
    expect(turn.replies).toEqual(['Thanks! One moment.']);
    expect(turn.outcome).toMatchObject({ kind: 'handed_off', team: 'Guardian team', reason: 'required by the Procedure' });
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  for (const code of ['123456', '000000'] as const) {
    it(`bundled with a check whose result decides a branch, it goes out only if the calls that presupposed that branch went through (code ${code})`, async () => {
      const valid = code === '123456';
      const harness = await createHarness({
        sandbox,
        script: [
          toolCalls(
            ['set_attributes', { values: { verification_code: code } }],
            ['go_to_step', { step_id: 'step:check-the-code' }],
            ['accounts__check_code', { code }],
            // Presupposes the code is valid: the @end is in the valid branch only.
            ['end_procedure', {}],
            ['reply', { message: 'Thanks, you are verified.' }],
          ),
          toolCalls(['reply', { message: 'That code did not match. Could you check it and try again?' }]),
        ],
      });
      const id = await harness.engine.start({ kind: 'preview', procedure: 'Verify identity', attributes: { email: 'sam@example.com' } });
      const turn = await harness.engine.send(id, `The code is ${code}`);
      expect(turn.modelCalls).toBe(valid ? 1 : 2);
      expect(turn.replies).toEqual([valid ? 'Thanks, you are verified.' : 'That code did not match. Could you check it and try again?']);
      expect(harness.trace(id).some((event) => event.type === 'reply_held')).toBe(!valid);
      expect(conformance(harness, id)).toEqual([]);
      await harness.close();
    });
  }

  it('a confirm action bundled with a reply still waits for the customer', async () => {
    const workspace = exampleWorkspace();
    workspace.procedures.create(`---
name: Refund desk
trigger: The customer asks the refund desk for their money.
---

## Refund
Tell them the amount, and refund it with @payments.create_refund once they agree.
`);
    const refund = ['payments__create_refund', { amount: 24, customer_agreement: 'yes go ahead' }] as [string, unknown];
    const harness = await createHarness({
      sandbox,
      workspace,
      script: [toolCalls(refund, ['reply', { message: 'I can refund 24.00 to your card. Shall I go ahead?' }]), toolCalls(refund, ['reply', { message: 'Done: 24.00 is on its way.' }])],
    });
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Refund desk' });
    const first = await harness.engine.send(id, 'Refund me, yes go ahead');
    // Asked for in this very turn: it waits for the customer's answer, and the question goes out.
    expect(harness.connectors.calls).toEqual([]);
    expect(first.replies).toEqual(['I can refund 24.00 to your card. Shall I go ahead?']);
    const second = await harness.engine.send(id, 'Yes go ahead');
    expect(harness.connectors.calls).toEqual([{ action: 'payments.create_refund', input: { amount: 24 } }]);
    expect(second.replies).toEqual(['Done: 24.00 is on its way.']);
    expect(conformance(harness, id)).toEqual([]);
    await harness.close();
  });

  it('a reply held back after it streamed is withdrawn from the listeners, and the one sent instead streams in its place', async () => {
    const workspace = exampleWorkspace();
    workspace.procedures.create(AGE_CHECK);
    const harness = await createHarness({
      sandbox,
      workspace,
      engine: { stream: true },
      script: [
        toolCalls(['set_attributes', { values: { age: 12 } }], ['reply', { message: 'Great, you are all set!' }]),
        toolCalls(['reply', { message: 'I am passing you to our Guardian team.' }], ['handoff', { team: 'Guardian team', summary: 'Age 12.' }]),
      ],
    });
    const seen: [string, boolean][] = [];
    harness.engine.subscribeReplies((_id, text, withdrawn) => seen.push([text, withdrawn === true]));
    const id = await harness.engine.start({ kind: 'preview', procedure: 'Age check' });
    const turn = await harness.engine.send(id, 'I am 12');
    expect(turn.replies).toEqual(['I am passing you to our Guardian team.']);
    const withdrawnAt = seen.findIndex(([, withdrawn]) => withdrawn);
    expect(withdrawnAt).toBeGreaterThan(0);
    expect(seen.slice(0, withdrawnAt).at(-1)![0]).toBe('Great, you are all set!');
    expect(seen.at(-1)).toEqual(['I am passing you to our Guardian team.', false]);
    await harness.close();
  });
});

describe('what a connector declares read-only', () => {
  const definitions = ['shop.json', 'accounts.json', 'payments.json'].map((file) => connectorDefinitionSchema.parse(JSON.parse(readFileSync(join(examplesDir, 'connectors', file), 'utf8'))));
  const mcp = connectorDefinitionSchema.parse({
    kind: 'mcp',
    name: 'files',
    transport: { type: 'stdio', command: 'files-server' },
    actions: [{ name: 'read_file', description: 'Reads a file.', inputSchema: { type: 'object', properties: {} } }],
  });

  it('a GET without confirm only reads; a POST, a confirm action and an MCP tool may change something', () => {
    const connectors = new RuntimeConnectors({ definitions: [...definitions, mcp], mode: 'mock' });
    expect(connectors.describe('shop.get_order')!.readOnly).toBe(true);
    expect(connectors.describe('payments.find_customer')!.readOnly).toBe(true);
    for (const action of ['shop.create_replacement', 'payments.create_refund', 'accounts.send_code', 'accounts.check_code', 'files.read_file']) {
      expect(connectors.describe(action)!.readOnly, action).toBeUndefined();
    }
    const getWithConfirm = connectorDefinitionSchema.parse({ ...JSON.parse(readFileSync(join(examplesDir, 'connectors', 'shop.json'), 'utf8')), name: 'shop2' });
    (getWithConfirm.actions[0] as { confirm?: boolean }).confirm = true;
    expect(new RuntimeConnectors({ definitions: [getWithConfirm], mode: 'mock' }).describe('shop2.get_order')!.readOnly).toBeUndefined();
  });
});
