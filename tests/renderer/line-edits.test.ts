// Graph edits become Monaco range edits that produce exactly the text the language's edit returns,
// with and without a final newline, and with CRLF line ends.
import { describe, expect, it } from 'vitest';
import { addBranch, deleteStep, insertStepAfter, moveStep, parse, removeBranch, renameStep, toGraph, type EditResult } from '../../shared/procedure';
import { applyRangeEdits, toRangeEdits } from '../../renderer/src/editor/line-edits';
import { exampleFiles, readExample } from '../support/paths';

function check(text: string, result: EditResult) {
  if (!result.ok) return 0;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  expect(applyRangeEdits(text, toRangeEdits(result.edits, lines, eol), eol)).toBe(result.text);
  return 1;
}

function variants(text: string): string[] {
  const trimmed = text.replace(/\n+$/, '');
  return [text, trimmed, text.replace(/\n/g, '\r\n'), trimmed.replace(/\n/g, '\r\n')];
}

describe('graph edits as range edits', () => {
  it('match the language edits on every example, for every step and condition', () => {
    let checked = 0;
    for (const file of exampleFiles()) {
      for (const text of variants(readExample(file))) {
        const graph = toGraph(parse(text).document);
        const steps = graph.nodes.filter((node) => node.kind === 'step');
        checked += check(text, insertStepAfter(text, null, 'New first'));
        for (const [index, step] of steps.entries()) {
          checked += check(text, insertStepAfter(text, step.id, 'Added step', ['Say something.']));
          checked += check(text, deleteStep(text, step.id));
          checked += check(text, renameStep(text, step.id, 'Renamed step'));
          checked += check(text, moveStep(text, step.id, null));
          checked += check(text, moveStep(text, step.id, steps[(index + 2) % steps.length]!.id));
        }
        for (const node of graph.nodes) {
          if (node.kind === 'condition') {
            checked += check(text, addBranch(text, node.id, 'the customer is angry'));
            checked += check(text, addBranch(text, node.id, null));
          }
          if (node.kind === 'branch') checked += check(text, removeBranch(text, node.id));
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
