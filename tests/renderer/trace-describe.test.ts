// Trace events in the Procedure's own words: step titles, branch labels (a Python test in plain words,
// "Otherwise" after the last false test), Procedure and team names, from labels derived from the
// text the conversation ran on. Unknown ids show as themselves, marked; long names are cut in the
// title and whole in the full title; payloads of the wrong shape never throw.
import { describe, expect, it } from 'vitest';
import type { PreviewTraceEvent } from '../../shared/api';
import { describeEvent, LABEL_LIMIT, type EventPlace } from '../../renderer/src/trace/describe-event';
import { procedureLabels, proceduresNamed, proceduresOf, traceLabels } from '../../renderer/src/trace/trace-labels';
import { parcelCheck } from '../fixtures/parcel-check';

const PARCEL = parcelCheck(
  'shipped',
  `
## Triage
\`\`\`python
attributes["seen"] = True
\`\`\`
If the customer sounds upset:
  - Apologise.
If \`attributes["order_id"] == "1"\`:
  - Say it is the first order.
`,
);

const VERIFY = `---
name: Verify identity
sub-procedure: true
---

## Ask for the code
Ask for the code we sent.

## Decide
If the code matches:
  - Thank them. @end
`;

const labels = traceLabels([
  ['Parcel check', PARCEL],
  ['Verify identity', VERIFY],
]);
const inParcel: EventPlace = { labels, procedure: 'Parcel check' };
const event = (type: string, payload: Record<string, unknown> = {}, stepId: string | null = null): Pick<PreviewTraceEvent, 'type' | 'stepId' | 'payload'> => ({ type, stepId, payload });
const title = (e: ReturnType<typeof event>, place: EventPlace = inParcel) => describeEvent(e, place).title;

describe('labels from a Procedure text', () => {
  it('gives step titles, branch labels in words and the branch tried next', () => {
    const parcel = procedureLabels('Parcel check', PARCEL);
    expect(parcel.nodes.get('step:look-it-up')).toMatchObject({ kind: 'step', label: 'Look it up' });
    expect(parcel.nodes.get('step:decide/cond1')).toMatchObject({ kind: 'condition', label: 'Decide' });
    expect(parcel.nodes.get('step:decide/cond1/b1')).toMatchObject({ kind: 'branch', label: 'status from crm.lookup is “shipped”', next: 'step:decide/cond1/b2', code: 'data["crm.lookup"]["status"] == "shipped"' });
    expect(parcel.nodes.get('step:decide/cond1/b2')).toMatchObject({ label: 'Otherwise', next: null });
    expect(parcel.nodes.get('step:triage/cond1/b1')).toMatchObject({ label: 'the customer sounds upset' });
    // A second condition in one step is told apart by its place.
    expect(parcel.nodes.get('step:triage/cond2')).toMatchObject({ label: 'Triage (condition 2)' });
    expect(parcel.nodes.get('step:decide/handoff:orders-team')).toMatchObject({ kind: 'handoff', label: 'Orders team', step: 'Decide' });
  });

  it('gives no labels, and no error, for a text that is not a Procedure', () => {
    expect(procedureLabels('x', '').nodes.size).toBeLessThanOrEqual(2);
    expect(() => procedureLabels('x', '## \n If `((((`:\n  -')).not.toThrow();
    expect(() => procedureLabels('x', '\u0000'.repeat(1000))).not.toThrow();
  });

  it('knows which Procedure each event happened in, a sub-procedure included', () => {
    const trace = [
      event('procedure_start', { procedure: 'Parcel check', kind: 'main' }),
      event('step_enter', { procedure: 'Parcel check' }, 'step:look-it-up'),
      event('procedure_start', { procedure: 'Verify identity', kind: 'sub' }),
      event('condition', { kind: 'plain', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1' }, 'step:decide'),
      event('procedure_end', { procedure: 'Verify identity' }),
      event('condition', { kind: 'python', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1', result: true }, 'step:decide'),
      event('procedure_pause', { procedure: 'Parcel check' }),
      event('procedure_start', { procedure: 'Refund request', kind: 'main' }),
      event('procedure_end', { procedure: 'Refund request', complete: true }),
      event('procedure_resume', { procedure: 'Parcel check' }),
      event('tool_call', { tool: 'reply' }),
    ];
    expect(proceduresOf(trace)).toEqual(['Parcel check', 'Parcel check', 'Verify identity', 'Verify identity', 'Verify identity', 'Parcel check', 'Parcel check', 'Refund request', 'Refund request', 'Parcel check', 'Parcel check']);
    expect(proceduresNamed(trace)).toEqual(['Parcel check', 'Verify identity', 'Refund request']);
    // Garbage in the payloads is ignored, not thrown on.
    expect(proceduresOf([event('procedure_start', { procedure: 42 }), event('procedure_end', { procedure: null }), event('condition')])).toEqual([null, null, null]);
  });
});

describe('trace events in words', () => {
  it('names steps by their titles', () => {
    expect(title(event('step_enter', { procedure: 'Parcel check', revisit: false }, 'step:look-it-up'))).toBe('Entered “Look it up”');
    expect(title(event('step_enter', { procedure: 'Parcel check', revisit: true }, 'step:decide'))).toBe('Entered “Decide” (again)');
    expect(title(event('step_exit', { procedure: 'Parcel check' }, 'step:look-it-up'))).toBe('Left “Look it up”');
  });

  it('says which branch a Python condition took, in words, and "Otherwise" after the last false test', () => {
    const took = describeEvent(event('condition', { kind: 'python', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1', test: 'data["crm.lookup"]["status"] == "shipped"', inputs: { data: ['crm.lookup'] }, result: true }, 'step:decide'), inParcel);
    expect(took).toMatchObject({ kind: 'condition', title: '“Decide” took “status from crm.lookup is ‘shipped’”' });
    expect(took.details).toEqual(expect.arrayContaining([['test', 'data["crm.lookup"]["status"] == "shipped"'], ['in words', 'status from crm.lookup is “shipped”'], ['result', 'true']]));
    expect(title(event('condition', { kind: 'python', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1', result: false }, 'step:decide'))).toBe('“Decide” took “Otherwise”: “status from crm.lookup is ‘shipped’” was false');
    // The last test false with no Otherwise: no branch; a false test with more tests after it: just false.
    expect(title(event('condition', { kind: 'python', nodeId: 'step:triage/cond2', branchId: 'step:triage/cond2/b1', result: false }, 'step:triage'))).toBe('“Triage (condition 2)” took no branch: “order id is ‘1’” was false');
    expect(title(event('condition', { kind: 'python', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1', ok: false, error: 'KeyError' }, 'step:decide'))).toBe('“Decide”: the test could not run: KeyError');
  });

  it("says which branch the model chose for a plain-language condition, with the model's reason", () => {
    const chose = describeEvent(event('condition', { kind: 'plain', nodeId: 'step:triage/cond1', branchId: 'step:triage/cond1/b1', reason: 'They wrote in capitals.' }, 'step:triage'), inParcel);
    expect(chose.title).toBe('“Triage” took “the customer sounds upset”');
    expect(chose.details).toContainEqual(["model's reason", 'They wrote in capitals.']);
    expect(title(event('condition', { kind: 'plain', nodeId: 'step:triage/cond1', branchId: 'none', reason: 'calm' }, 'step:triage'))).toBe('“Triage” took no branch');
  });

  it("uses a sub-procedure's own labels for its ids", () => {
    const place: EventPlace = { labels, procedure: 'Verify identity' };
    expect(title(event('step_enter', { procedure: 'Verify identity' }, 'step:ask-for-the-code'), place)).toBe('Entered “Ask for the code”');
    expect(title(event('condition', { kind: 'plain', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1' }, 'step:decide'), place)).toBe('“Decide” took “the code matches”');
    expect(title(event('procedure_start', { procedure: 'Verify identity', kind: 'sub' }), place)).toBe('Started “Verify identity” (sub-procedure)');
    expect(title(event('procedure_end', { procedure: 'Verify identity' }), place)).toBe('“Verify identity” ended, back to the caller');
    expect(title(event('procedure_end', { procedure: 'Parcel check', complete: true }))).toBe('“Parcel check” finished');
    expect(title(event('procedure_pause', { procedure: 'Parcel check' }))).toBe('Paused “Parcel check” for another topic');
    expect(title(event('procedure_resume', { procedure: 'Parcel check' }))).toBe('Resumed “Parcel check”');
    expect(title(event('route', { procedure: 'Parcel check', method: 'match', valid: true }))).toBe('Routed to “Parcel check”');
  });

  it("marks an id the labels do not know (a deleted step, an old trace) and never crashes", () => {
    expect(title(event('step_enter', {}, 'step:gone'))).toBe('Entered step:gone (unknown step)');
    expect(title(event('condition', { kind: 'python', nodeId: 'step:gone/cond1', branchId: 'step:gone/cond1/b3', result: true }, 'step:gone'))).toBe('step:gone (unknown step) took step:gone/cond1/b3 (unknown branch)');
    // No labels at all (the text could not be fetched): ids, marked.
    expect(title(event('step_exit', {}, 'step:look-it-up'), { labels: new Map(), procedure: 'Parcel check' })).toBe('Left step:look-it-up (unknown step)');
    // Another Procedure's labels are not used for ids of this one.
    expect(title(event('step_enter', {}, 'step:ask-for-the-code'))).toBe('Entered step:ask-for-the-code (unknown step)');
    expect(title(event('step_enter', {}, null))).toBe('Entered an unnamed step');
  });

  it('reads payloads of the wrong shape as missing', () => {
    const odd: Record<string, unknown>[] = [{}, { procedure: 7, text: { a: 1 }, team: [], hits: 'x', usage: 'lots', input: 'x', reasons: 3, value: undefined }];
    const types = ['customer_message', 'agent_message', 'reply_held', 'route', 'routing_failed', 'procedure_start', 'procedure_end', 'procedure_pause', 'procedure_resume', 'step_enter', 'step_exit', 'attribute_set', 'condition', 'code_run', 'tool_call', 'connector_call', 'knowledge_search', 'handoff', 'escalation', 'enforced', 'escalation_check', 'tag', 'conversation_end', 'model_call', 'model_retry', 'model_outage', 'resumed_after_outage', 'action_refused', 'move_refused', 'action_needs_confirmation', 'brand_new'];
    for (const type of types)
      for (const payload of odd)
        for (const stepId of [null, 'step:decide', 'x'.repeat(5000)]) {
          const described = describeEvent(event(type, payload, stepId), inParcel);
          expect(typeof described.title).toBe('string');
          expect(described.title.length).toBeGreaterThan(0);
          for (const [label, value] of described.details) expect(typeof label === 'string' && typeof value === 'string').toBe(true);
        }
    // A payload that is not an object at all.
    expect(describeEvent({ type: 'handoff', stepId: null, payload: null as unknown as Record<string, unknown> }).title).toBe('Handed off');
    expect(title(event('procedure_start', { procedure: 7 }))).toBe('Started a Procedure');
    expect(title(event('model_call', { purpose: 'agent', usage: 'lots' }))).toBe('Model call (agent): 0 in, 0 out, price unknown');
  });

  it('cuts long names in the title, keeping them whole in the full title', () => {
    const long = 'Ask the customer for the order number and then look the order up in the shop, carefully';
    const text = `---\nname: Long\ntrigger: t\n---\n\n## ${long}\nSay hi.\n`;
    const place: EventPlace = { labels: traceLabels([['Long', text]]), procedure: 'Long' };
    const id = [...procedureLabels('Long', text).nodes.entries()].find(([, words]) => words.kind === 'step')![0];
    const described = describeEvent(event('step_enter', {}, id), place);
    expect(described.title.length).toBeLessThan(`Entered “${long}”`.length);
    expect(described.title).toMatch(/^Entered “Ask the customer .*…”$/);
    expect(described.title.length).toBeLessThanOrEqual('Entered “”'.length + LABEL_LIMIT);
    expect(described.fullTitle).toBe(`Entered “${long}”`);
    const team = 'The very long name of a team that handles the hardest parcels of all';
    expect(describeEvent(event('handoff', { team }), place)).toMatchObject({ title: expect.stringMatching(/^Handed off to The very long.*…$/), fullTitle: `Handed off to ${team}` });
  });

  it("says the agent's built-in tools in words, and connector actions by name", () => {
    expect(title(event('tool_call', { tool: 'go_to_step', input: { step_id: 'step:decide' }, ok: true }))).toBe('Asked to move to “Decide”');
    expect(title(event('tool_call', { tool: 'decide_condition', input: { condition_id: 'step:triage/cond1', branch_id: 'step:triage/cond1/b1' }, ok: true }))).toBe('Chose “the customer sounds upset”');
    expect(title(event('tool_call', { tool: 'end_procedure', input: {}, ok: false }))).toBe('Asked to end the Procedure (refused)');
    expect(title(event('tool_call', { tool: 'set_attributes', input: { values: { order_id: '7' } }, ok: true }))).toBe('Recorded order_id');
    expect(title(event('tool_call', { tool: 'run_subprocedure', input: { name: 'Verify identity' }, ok: true }))).toBe('Asked to run “Verify identity”');
    expect(title(event('tool_call', { tool: 'handoff', input: { team: 'Orders team' }, ok: true }))).toBe('Asked to hand off to Orders team');
    expect(title(event('tool_call', { tool: 'reply', input: { message: 'Hi' }, ok: true }))).toBe('Replied to the customer');
    expect(title(event('tool_call', { tool: 'reply', input: { message: 'Refunded!' }, ok: false }))).toBe('Reply not sent');
    expect(describeEvent(event('tool_call', { tool: 'shop__get_order', ok: false, input: { id: 1 }, result: 'no', durationMs: 3 }))).toMatchObject({ kind: 'refusal', title: 'Called shop.get_order (refused)' });
    expect(title(event('tool_call', { tool: 'crm__lookup', eager: true, ok: true }))).toBe('Looked up crm.lookup');
  });

  it('covers the rest of the runtime: code, attributes, knowledge, handoffs, rules, the model', () => {
    expect(title(event('code_run', { nodeId: 'step:decide/code1', ok: true, writes: { a: 1 }, durationMs: 4 }, 'step:decide'))).toBe('Code step in “Decide” ran');
    expect(title(event('code_run', { nodeId: 'step:decide/code1', ok: false, error: 'ZeroDivisionError' }, 'step:decide'))).toBe('Code step in “Decide” failed: ZeroDivisionError');
    const code = describeEvent(event('code_run', { nodeId: 'step:triage/code1', ok: true, writes: { seen: true } }, 'step:triage'), inParcel);
    expect(code.title).toBe('Code step in “Triage” ran');
    expect(code.details[0]).toEqual(['code', expect.stringContaining('attributes["seen"] = True')]);
    expect(describeEvent(event('attribute_set', { name: 'order_id', value: '7', source: 'connector' }))).toMatchObject({ title: 'order_id = "7"', details: [['from', 'a connector result']] });
    expect(describeEvent(event('attribute_set', { name: 'total', value: 3, source: 'code', nodeId: 'step:decide/code1' }, 'step:decide'), inParcel).details).toEqual([['from', 'a code step'], ['by', 'the code step in “Decide”']]);
    expect(describeEvent(event('knowledge_search', { query: 'returns', hits: [{ title: 'Returns policy' }, { nope: 1 }] }))).toMatchObject({ title: 'Knowledge: “returns”', details: [['articles', 'Returns policy']] });
    expect(describeEvent(event('handoff', { team: 'Claims team', reason: 'damaged', summary: 'Parcel crushed.' }))).toMatchObject({ kind: 'handoff', title: 'Handed off to Claims team', details: [['reason', 'damaged'], ['summary', 'Parcel crushed.']] });
    expect(describeEvent(event('escalation', { team: null, reason: 'loop' }))).toMatchObject({ title: 'Escalated', details: [['reason', 'the agent was going round in circles']] });
    expect(describeEvent(event('handoff', { team: 'Orders team', reason: 'procedure' })).details).toEqual([['reason', 'as the Procedure says']]);
    expect(describeEvent(event('handoff', { team: 'Orders team', reason: 'model unavailable: 529' })).details).toEqual([['reason', 'model unavailable: 529']]);
    expect(title(event('enforced', { nodeId: 'step:decide/handoff:orders-team', kind: 'handoff', target: 'Orders team' }, 'step:decide'))).toBe('The Procedure required a handoff to Orders team');
    expect(title(event('enforced', { kind: 'switch', target: 'Refund request' }))).toBe('The Procedure required a switch to “Refund request”');
    expect(title(event('escalation_check', { reason: 'loop', detail: 'The agent went back to the same step 3 times.' }))).toBe('Escalation rule: The agent went back to the same step 3 times.');
    expect(describeEvent(event('reply_held', { text: 'Refund done!', reasons: ['claims a refund nobody made'] }))).toMatchObject({ title: 'A reply was held back: claims a refund nobody made', details: [['why', 'claims a refund nobody made'], ['the reply', 'Refund done!']] });
    expect(describeEvent(event('move_refused', { reason: 'not yet', target: 'step:decide' }), inParcel).details).toContainEqual(['target', '“Decide”']);
    expect(title(event('action_refused', { action: 'crm.refund', reason: 'not named by the active Procedure' }))).toBe('Action crm.refund refused: not named by the active Procedure');
    expect(title(event('move_refused', { invariant: 'branch-not-binding', reason: 'the branch Python chose requires it: a handoff' }))).toBe('Move refused: the branch Python chose requires it: a handoff');
    expect(title(event('move_refused', { invariant: 'x', reason: 3 }))).toBe('Move refused');
    // Ids inside the runtime's own sentences are put in words where the labels know them.
    expect(title(event('move_refused', { reason: 'the condition step:decide/cond1 in step "Decide" chose step:decide/cond1/b1, which does not lead there' }))).toBe('Move refused: the condition “Decide” in step "Decide" chose “status from crm.lookup is ‘shipped’”, which does not lead there');
    expect(describeEvent(event('tool_call', { tool: 'decide_condition', input: {}, ok: true, result: 'Recorded: step:triage/cond1/b1. Then step:gone.' }), inParcel).details).toContainEqual(['result', 'Recorded: “the customer sounds upset”. Then step:gone.']);
    expect(describeEvent(event('move_refused', { reason: 'go to step:decide/handoff:orders-team.' }), inParcel).details).toContainEqual(['why', 'go to “Orders team”.']);
    expect(title(event('model_call', { purpose: 'agent', usage: { inputTokens: 100, outputTokens: 20 }, costUsd: 0.0012 }))).toBe('Model call (agent): 100 in, 20 out, $0.0012');
    expect(title(event('tag', { tag: 'vip' }))).toBe('Tagged “vip”');
    expect(describeEvent(event('something_new', { a: 1 }))).toEqual({ kind: 'other', title: 'something new', fullTitle: 'something new', details: [['a', '1']] });
  });
});
