// Issue 14 item 2: the model sees compact node ids (doc2.c1.b1) instead of graph ids
// (step:check-the-claim-window/cond1/b1). The runtime maps them back for the active Procedure; an
// id that names nothing, or a node of another Procedure, is refused with the ids it takes; the
// trace, the rules and the conformance checker keep graph ids.
import { describe, expect, it } from 'vitest';
import { checkConformance } from '../../main/conformance';
import { agentRequest, toolCallFromModel } from '../../main/runtime/agent-call';
import { compileProcedure } from '../../main/runtime/compiled-procedure';
import { assignTags, idTable, modelIds, toGraphIds, toModelIds } from '../../main/runtime/prompt-ids';
import { parse } from '../../shared/procedure';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { createHarness, examples, useHarnessFixtures } from './harness';
import { context, conversation, PROCEDURES } from './rules/support';

const sandbox = useHarnessFixtures();

describe('compact ids', () => {
  it('tags each Procedure by its initials, keeps a tag once given, and never gives two the same', () => {
    const first = assignTags({}, [{ name: 'Damaged order claim' }, { name: 'Verify identity' }]);
    expect(first).toEqual({ 'Damaged order claim': 'doc', 'Verify identity': 'vi' });
    // Same initials: a letter more. Tags only ever added: "Refund request" keeps rr whatever comes later.
    const second = assignTags({ ...first, 'Refund request': 'rr' }, [{ name: 'Return request' }, { name: 'Refund request' }, { name: 'Rr' }]);
    expect(second['Refund request']).toBe('rr');
    expect(second['Return request']).toBe('rrb');
    expect(second.Rr).toBe('r');
    expect(new Set(Object.values(second)).size).toBe(Object.keys(second).length);
    // Letters only, so the step number after a tag is never read as part of it.
    expect(assignTags({}, [{ name: '2FA reset' }, { name: '!!!' }])).toEqual({ '2FA reset': 'fr', '!!!': 'p' });
  });

  it('maps every graph id of a Procedure one to one', () => {
    const damaged = compileProcedure(examples()[0]!, 'draft');
    const table = idTable(damaged, 'doc');
    expect(table.short.get('step:check-the-claim-window')).toBe('doc2');
    expect(table.short.get('step:check-the-claim-window/code1')).toBe('doc2.k1');
    expect(table.short.get('step:check-the-claim-window/cond1/b2')).toBe('doc2.c1.b2');
    expect(table.long.size).toBe(table.short.size);
    for (const [graph, compact] of table.short) expect(table.long.get(compact)).toBe(graph);
  });

  it('leaves no graph id in the prompt: Procedures, tools, state and tool results', () => {
    const state = {
      ...conversation({ stack: [{ procedure: 'Refund request', version: 'draft', stepId: 'step:refund', decided: { 'step:refund/code1': 'ran' }, ran: [], kind: 'main' }] }),
      pendingToolResults: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'The runtime evaluated step:refund/cond1 (python): it chose step:refund/cond1/b2.' }],
    };
    const { request } = agentRequest({ state, procedures: [...PROCEDURES.values()], routable: context().routable, advanced: null, customerMessages: null, describeAction: context().describeAction });
    const sent = JSON.stringify(request);
    expect(sent).not.toMatch(/step:[a-z]/);
    expect(sent).toContain('it chose rr4.c1.b2');
    expect(sent).toContain('Done in this step: rr4.k1 → ran.');
    expect(JSON.stringify(request.tools)).toContain('"enum":["rr1","rr2","rr3","rr4","rr5","vi1","doc1","cs1"]');
  });

  it('does not take an id out of a longer one', () => {
    const twice = compileProcedure('---\nname: Twice\n---\n\n## Ask\nHello.\n\n## Ask\nAgain.\n', 'draft');
    const ids = modelIds([twice], { Twice: 't' });
    expect(toModelIds('from step:ask to step:ask~2.', ids)).toBe('from t1 to t2.');
  });

  it('maps a tool call’s ids back only for the active Procedure', () => {
    const ids = modelIds([...PROCEDURES.values()], assignTags({}, [...PROCEDURES.values()]));
    expect(toGraphIds('go_to_step', { step_id: 'rr3' }, ids, 'Refund request')).toEqual({ step_id: 'step:verify' });
    expect(toGraphIds('decide_condition', { condition_id: 'rr2.c1', branch_id: 'rr2.c1.b1', reason: 'r' }, ids, 'Refund request')).toEqual({
      condition_id: 'step:understand-the-reason/cond1',
      branch_id: 'step:understand-the-reason/cond1/b1',
      reason: 'r',
    });
    // Another Procedure's id, an unknown one, a graph id and "none" are left as written, for the rule to judge.
    expect(toGraphIds('go_to_step', { step_id: 'vi1' }, ids, 'Refund request')).toEqual({ step_id: 'vi1' });
    expect(toGraphIds('go_to_step', { step_id: 'rr9' }, ids, 'Refund request')).toEqual({ step_id: 'rr9' });
    expect(toGraphIds('go_to_step', { step_id: 'step:verify' }, ids, 'Refund request')).toEqual({ step_id: 'step:verify' });
    expect(toGraphIds('decide_condition', { condition_id: 'rr2.c1', branch_id: 'none', reason: 'r' }, ids, 'Refund request')).toMatchObject({ branch_id: 'none' });
    // Other tools' inputs are never touched, even when a value looks like an id.
    expect(toGraphIds('reply', { message: 'rr3' }, ids, 'Refund request')).toEqual({ message: 'rr3' });
  });

  it('reads ids against the tags the model was shown, not new ones', () => {
    // Before any call the conversation has shown no ids: nothing is mapped.
    expect(toolCallFromModel(conversation(), { name: 'go_to_step', input: { step_id: 'rr2' } }, PROCEDURES).input).toEqual({ step_id: 'rr2' });
    const shown = { ...conversation(), promptMemory: { tags: { 'Refund request': 'rr' }, told: null, turn: null } };
    expect(toolCallFromModel(shown, { name: 'go_to_step', input: { step_id: 'rr2' } }, PROCEDURES).input).toEqual({ step_id: 'step:understand-the-reason' });
  });
});

describe('compact ids in a conversation', () => {
  it('moves on a compact id, and keeps graph ids in the trace, which the conformance checker accepts', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        toolCall('route', { procedure: 'Damaged order claim', reason: 'broken' }),
        // The move passes the claim window's Python on the way (doc2), once the order is looked up.
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }], ['go_to_step', { step_id: 'doc3' }], ['reply', { message: 'What is damaged?' }]),
        toolCalls(['set_attributes', { values: { damage_description: 'cracked lid' } }], ['decide_condition', { condition_id: 'doc3.c1', branch_id: 'none', reason: 'No hazard.' }], ['reply', { message: 'Thanks.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'My kettle arrived broken, order 1043.');
    await harness.engine.send(id, 'The lid is cracked.');
    const state = (await harness.engine.state(id))!;
    expect(state.stack[0]!.stepId).toBe('step:understand-the-damage');
    const trace = harness.trace(id);
    const moves = trace.filter((event) => event.type === 'tool_call' && event.payload.tool === 'go_to_step').map((event) => (event.payload.input as { step_id: string }).step_id);
    expect(moves).toEqual(['step:understand-the-damage']);
    expect(trace.filter((event) => event.type === 'condition').at(-1)!.payload).toMatchObject({ nodeId: 'step:understand-the-damage/cond1', branchId: 'none', kind: 'plain' });
    const documents = new Map(examples().map((text) => parse(text).document).map((document) => [document.frontMatter!.header!.name!, document]));
    expect(checkConformance(documents, trace)).toEqual([]);
    await harness.close();
  });

  it('refuses an id of another Procedure, or one that names nothing, with the ids it takes, and does not move', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        toolCall('route', { procedure: 'Damaged order claim', reason: 'broken' }),
        // vi1 is "Send a code" of Verify identity, also in the prompt; doc9 does not exist; stale-looking ids too.
        toolCalls(['go_to_step', { step_id: 'vi1' }], ['go_to_step', { step_id: 'doc9' }], ['decide_condition', { condition_id: 'vi2.c1', branch_id: 'vi2.c1.b1', reason: 'x' }]),
        toolCalls(['reply', { message: 'What is your order number?' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'My kettle arrived broken.');
    const state = (await harness.engine.state(id))!;
    expect(state.stack.map((frame) => [frame.procedure, frame.stepId])).toEqual([['Damaged order claim', 'step:find-the-order']]);
    const results = JSON.stringify(harness.fake.requests[2]!.body.messages.at(-1));
    expect(results).toContain('\\"vi1\\" is not a step of Damaged order claim. Steps: doc1, doc2, doc3, doc4, doc5.');
    expect(results).toContain('\\"doc9\\" is not a step of Damaged order claim. Steps: doc1, doc2, doc3, doc4, doc5.');
    expect(results).toMatch(/"is_error":true/);
    expect(results).not.toMatch(/step:[a-z]/);
    await harness.close();
  });
});
