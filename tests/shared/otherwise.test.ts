// The "Otherwise" a false Python test leads to (shared/procedure/otherwise.ts), which the preview's
// path and step coverage both infer: only after the condition's last test, only where it has one.
import { describe, expect, it } from 'vitest';
import { otherwiseAfterFalseTest, parse, toGraph, type GraphNode } from '../../shared/procedure';
import { readExample } from '../support/paths';

const nodesOf = (text: string) => toGraph(parse(text).document).nodes;
const damaged = nodesOf(readExample('damaged-order.md'));
const verify = nodesOf(readExample('verify-identity.md'));

describe('the Otherwise after a false test', () => {
  it('is the condition\'s Otherwise when the false test was its last', () => {
    expect(otherwiseAfterFalseTest(damaged, 'step:check-the-claim-window/cond1/b1')).toBe('step:check-the-claim-window/cond1/b2');
    expect(otherwiseAfterFalseTest(damaged, 'step:resolve/cond1/b1')).toBe('step:resolve/cond1/b2');
  });

  it('is none while another test follows the false one', () => {
    // b1 (Python) is followed by b2 (plain language) before the Otherwise, b3.
    expect(otherwiseAfterFalseTest(verify, 'step:check-the-code/cond1/b1')).toBeNull();
    expect(otherwiseAfterFalseTest(verify, 'step:check-the-code/cond1/b2')).toBe('step:check-the-code/cond1/b3');
  });

  it('is none for a condition with no Otherwise, an unknown id, or one of another condition', () => {
    const noOtherwise = nodesOf(`---\nname: Window\ntrigger: Claims.\nattributes:\n  days: number\n---\n\n## Check\nIf \`attributes["days"] <= 30\`:\n  - Go on.\n`);
    expect(otherwiseAfterFalseTest(noOtherwise, 'step:check/cond1/b1')).toBeNull();
    expect(otherwiseAfterFalseTest(damaged, 'step:nowhere/cond1/b1')).toBeNull();
    expect(otherwiseAfterFalseTest(damaged, 'not a branch id')).toBeNull();
    expect(otherwiseAfterFalseTest([], 'step:check/cond1/b1')).toBeNull();
  });

  it('counts only the condition\'s own branches, not nodes nested under one of them', () => {
    const node = (id: string, test: GraphNode['test']): GraphNode => ({ ...damaged.find((candidate) => candidate.kind === 'branch')!, id, test });
    const nodes = [node('s/cond1/b1', 'python'), node('s/cond1/b2', 'otherwise'), node('s/cond1/b2x', 'python'), node('s/cond1/b1/cond1/b1', 'python')];
    expect(otherwiseAfterFalseTest(nodes, 's/cond1/b1')).toBe('s/cond1/b2');
  });
});
