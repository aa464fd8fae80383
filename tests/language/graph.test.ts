import { describe, expect, it } from 'vitest';
import { parse, toGraph, type ProcedureGraph } from '../../shared/procedure';
import { readExample } from '../support/paths';

const HEADER = '---\nname: Test\ntrigger: The customer needs help.\nattributes:\n  amount:\n    type: number\n---\n';

function graphOf(body: string): ProcedureGraph {
  return toGraph(parse(HEADER + body).document);
}

const edge = (graph: ProcedureGraph, from: string, to: string) => graph.edges.find((candidate) => candidate.from === from && candidate.to === to);

describe('toGraph', () => {
  it('makes a node of each kind, with lines', () => {
    const graph = toGraph(parse(readExample('damaged-order.md')).document);
    const kinds = new Set(graph.nodes.map((node) => node.kind));
    for (const kind of ['trigger', 'step', 'condition', 'branch', 'code', 'action', 'subprocedure', 'handoff', 'end']) expect(kinds).toContain(kind);
    const refund = graph.nodes.find((node) => node.id === 'step:resolve/action:payments.create_refund')!;
    expect(refund).toMatchObject({ kind: 'action', label: 'payments.create_refund', line: 55 });
    const call = graph.nodes.find((node) => node.kind === 'subprocedure')!;
    expect(call).toMatchObject({ id: 'step:resolve/call:verify-identity', target: 'Verify identity', mode: 'call', line: 47 });
  });

  it('chains steps from the trigger and falls through to an implicit end', () => {
    const graph = graphOf('## One\nSay hi.\n\n## Two\nSay bye.\n');
    expect(graph.nodes.map((node) => node.id)).toEqual(['trigger', 'step:one', 'step:two', 'end']);
    expect(graph.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['trigger>step:one', 'step:one>step:two', 'step:two>end']);
  });

  it('labels branch edges with their tests, and lets an unmatched condition fall through', () => {
    const graph = graphOf('## Check\nIf `attributes["amount"] > 100`:\n  - @handoff Billing team\nOtherwise, if the customer is upset:\n  - Apologise.\n\n## Next\nGo on.\n');
    expect(edge(graph, 'step:check/cond1', 'step:check/cond1/b1')?.label).toBe('`attributes["amount"] > 100`');
    expect(edge(graph, 'step:check/cond1', 'step:check/cond1/b2')?.label).toBe('the customer is upset');
    expect(graph.nodes.find((n) => n.id === 'step:check/cond1/b1')?.test).toBe('python');
    expect(graph.nodes.find((n) => n.id === 'step:check/cond1/b2')?.test).toBe('plain');
    // The handoff ends its branch; the other branch and "no branch matched" both reach the next step.
    expect(edge(graph, 'step:check/cond1/b1', 'step:check/handoff:billing-team')).toBeDefined();
    expect(edge(graph, 'step:check/handoff:billing-team', 'step:next')).toBeUndefined();
    expect(edge(graph, 'step:check/cond1/b2', 'step:next')).toBeDefined();
    expect(edge(graph, 'step:check/cond1', 'step:next')?.label).toBe('none matched');
  });

  it('an Otherwise branch means nothing falls through the condition itself', () => {
    const graph = graphOf('## Check\nIf it is late:\n  - Apologise.\nOtherwise:\n  - Thank them.\n\n## Next\nGo on.\n');
    expect(edge(graph, 'step:check/cond1', 'step:next')).toBeUndefined();
    expect(edge(graph, 'step:check/cond1', 'step:check/cond1/b2')?.label).toBe('Otherwise');
  });

  it('treats a handoff that begins a sentence as final, and one inside a sentence as optional', () => {
    const final = graphOf('## A\nSay sorry. @handoff Claims team\n\n## B\nHello.\n');
    expect(final.unreachableSteps).toEqual(['step:b']);
    const optional = graphOf('## A\nIf they insist, @handoff Claims team\n\n## B\nHello.\n');
    expect(optional.unreachableSteps).toEqual([]);
    expect(edge(optional, 'step:a', 'step:a/handoff:claims-team')).toMatchObject({ kind: 'optional', label: 'when needed' });
    expect(edge(optional, 'step:a', 'step:b')).toBeDefined();
  });

  it('draws "Go to [[#Step]]" as a move that ends the branch, and a link mid-sentence as an extra edge', () => {
    const graph = graphOf('## Ask\nAsk for it.\n\n## Check\nIf it is wrong:\n  - Go back to [[#Ask]].\nOtherwise:\n  - Thank them. @end\n\n## Orphan\nNever.\n');
    expect(edge(graph, 'step:check/cond1/b1', 'step:ask')).toMatchObject({ kind: 'goto' });
    expect(graph.unreachableSteps).toEqual(['step:orphan']);
    const soft = graphOf('## Ask\nAsk for it.\n\n## Check\nIf it is wrong, you may return to [[#Ask]] later.\n\n## Last\nBye.\n');
    expect(soft.unreachableSteps).toEqual([]);
    expect(edge(soft, 'step:check', 'step:ask')?.kind).toBe('goto');
  });

  it('reaches a step only through a goto', () => {
    const graph = graphOf('## A\nIf `True`:\n  - Go to [[#C]].\nOtherwise:\n  - @end\n\n## B\nNever reached.\n\n## C\nReached by the move.\n');
    expect(graph.unreachableSteps).toEqual(['step:b']);
  });

  it('shows a switch as a sub-procedure node that does not return', () => {
    const graph = graphOf('## A\n@switch [[Cancel subscription]]\n\n## B\nHello.\n');
    expect(graph.nodes.find((n) => n.id === 'step:a/switch:cancel-subscription')).toMatchObject({ kind: 'subprocedure', mode: 'switch', target: 'Cancel subscription' });
    expect(graph.unreachableSteps).toEqual(['step:b']);
  });

  it('labels a sub-procedure trigger and end for what they are', () => {
    const graph = toGraph(parse('---\nname: Helper\nsub_procedure: true\n---\n## Only\nDo it.\n').document);
    expect(graph.nodes[0]).toMatchObject({ id: 'trigger', label: 'Called by another Procedure' });
    expect(graph.nodes[graph.nodes.length - 1]).toMatchObject({ id: 'end', label: 'Return to caller' });
  });

  it('gives nested conditions their own ids and numbers repeated actions', () => {
    const graph = graphOf('## A\nCall @shop.get_order.\nIf x happens:\n  - If y happens:\n    - Call @shop.get_order again.\n  - Otherwise:\n    - @end\n');
    const ids = graph.nodes.map((n) => n.id);
    expect(ids).toContain('step:a/cond2');
    expect(ids).toContain('step:a/cond2/b2');
    expect(ids).toContain('step:a/action:shop.get_order');
    expect(ids).toContain('step:a/action:shop.get_order~2');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives duplicate step titles distinct ids', () => {
    const graph = graphOf('## Ask\nOne.\n\n## Ask\nTwo.\n');
    expect(graph.nodes.filter((n) => n.kind === 'step').map((n) => n.id)).toEqual(['step:ask', 'step:ask~2']);
  });
});

describe('node ids are stable across re-parses', () => {
  const text = readExample('damaged-order.md');
  const ids = (source: string) => toGraph(parse(source).document).nodes.map((node) => node.id);

  it('when text is added in another step', () => {
    const edited = text.replace('Ask for a photo if they have one.', 'Ask for a photo if they have one, and thank them.\nBe patient.');
    expect(ids(edited)).toEqual(ids(text));
  });

  it('when a whole step is inserted before others', () => {
    const edited = text.replace('## Resolve', '## Apologise\nSay sorry, and @shop.get_order again.\n\n## Resolve');
    const before = ids(text);
    const after = ids(edited);
    expect(after.filter((id) => !id.startsWith('step:apologise'))).toEqual(before);
  });

  it('while ids inside the edited step after the change may move', () => {
    const edited = text.replace('## Check the claim window\n', '## Check the claim window\nIf the customer is angry:\n  - Apologise.\n');
    const after = ids(edited);
    expect(after).toContain('step:check-the-claim-window/cond2');
    expect(after.filter((id) => !id.startsWith('step:check-the-claim-window'))).toEqual(ids(text).filter((id) => !id.startsWith('step:check-the-claim-window')));
  });
});
