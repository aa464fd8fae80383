// Folding ranges: the front matter, each step (heading to its last non-blank line), each code
// block and each condition. Lines are 1-based.
import type { Block, ProcedureDocument } from '../../../shared/procedure';

export interface FoldingRange {
  start: number;
  end: number;
  kind: 'step' | 'frontmatter' | 'code' | 'condition';
}

export function foldingRanges(document: ProcedureDocument, lines: string[]): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const header = document.frontMatter?.header.span;
  if (header && header.end.line > header.start.line) ranges.push({ start: header.start.line, end: header.end.line, kind: 'frontmatter' });
  document.steps.forEach((step, index) => {
    const next = document.steps[index + 1];
    let end = next ? next.span.start.line - 1 : lines.length;
    while (end > step.span.start.line && (lines[end - 1] ?? '').trim() === '') end -= 1;
    if (end > step.span.start.line) ranges.push({ start: step.span.start.line, end, kind: 'step' });
    blocks(step.body, ranges);
  });
  blocks(document.preamble, ranges);
  return ranges;
}

function blocks(list: Block[], ranges: FoldingRange[]) {
  for (const block of list) {
    if (block.kind === 'code' && block.span.end.line > block.span.start.line) ranges.push({ start: block.span.start.line, end: block.span.end.line, kind: 'code' });
    if (block.kind === 'paragraph') blocks(block.children, ranges);
    if (block.kind === 'condition') {
      if (block.span.end.line > block.span.start.line) ranges.push({ start: block.span.start.line, end: block.span.end.line, kind: 'condition' });
      for (const branch of block.branches) blocks(branch.body, ranges);
    }
  }
}
