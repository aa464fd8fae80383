// print(tree): canonical text. Front matter is kept exactly as written (comments and all); the body
// is normalised: `- ` bullets, two spaces per nesting level, `Otherwise, if` / `Otherwise:` headers,
// no trailing spaces, one blank line at most between blocks and exactly one between steps.
import type { Block, Branch, CodeBlock, Paragraph, ProcedureDocument, Step, Test } from './ast';

export function print(document: ProcedureDocument): string {
  const out: string[] = [];
  if (document.frontMatter) {
    const raw = document.frontMatter.raw;
    out.push('---');
    if (raw.length > 0) out.push(...raw.replace(/(?:\r\n|\r|\n)$/, '').split(/\r\n|\r|\n/));
    out.push('---');
  }
  if (document.preamble.length > 0) {
    if (out.length > 0) out.push('');
    printBlocks(document.preamble, 0, out, true);
  }
  for (const step of document.steps) {
    if (out.length > 0) out.push('');
    out.push(...printStep(step));
  }
  // Without front matter, a first line of --- would read back as the start of front matter, and a
  // byte-order mark at the very start would be taken for one and dropped.
  if (!document.frontMatter && /^(?:---\s*$|\uFEFF)/.test(out[0] ?? '')) out.unshift('');
  return out.join('\n') + '\n';
}

export function printStep(step: Step): string[] {
  const out = [step.title ? `## ${step.title}` : '##'];
  printBlocks(step.body, 0, out, false);
  return out;
}

/** Printing works from an explicit stack, so no nesting depth can overflow the call stack. */
type PrintTask =
  | { kind: 'block'; block: Block; indent: number; blankBefore: boolean }
  | { kind: 'branch'; branch: Branch; pad: string; indent: number; blankBefore: boolean };

export function printBlocks(blocks: Block[], indent: number, out: string[], ignoreFirstBlank: boolean): void {
  const tasks: PrintTask[] = [];
  const schedule = (list: Block[], at: number, ignoreFirst: boolean) => {
    for (let index = list.length - 1; index >= 0; index--) {
      const block = list[index]!;
      tasks.push({ kind: 'block', block, indent: at, blankBefore: block.blankBefore && !(index === 0 && ignoreFirst) });
    }
  };
  schedule(blocks, indent, ignoreFirstBlank);
  while (tasks.length > 0) {
    const task = tasks.pop()!;
    if (task.blankBefore) out.push('');
    if (task.kind === 'branch') {
      out.push(task.pad + branchHeader(task.branch));
      schedule(task.branch.body, task.indent + 2, false);
      continue;
    }
    const { block } = task;
    switch (block.kind) {
      case 'paragraph':
        printParagraphLines(block, task.indent, out);
        schedule(block.children, task.indent + 2, false);
        break;
      case 'code':
        printCode(block, task.indent, out);
        break;
      case 'condition': {
        const pad = ' '.repeat(task.indent) + (block.bullet ? '- ' : '');
        for (let index = block.branches.length - 1; index >= 0; index--) {
          const branch = block.branches[index]!;
          tasks.push({ kind: 'branch', branch, pad, indent: task.indent, blankBefore: index > 0 && branch.blankBefore });
        }
        break;
      }
    }
  }
}

function printParagraphLines(paragraph: Paragraph, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  const contentPad = ' '.repeat(indent + (paragraph.bullet ? 2 : 0));
  paragraph.lines.forEach((line, index) => {
    if (index === 0 && paragraph.bullet) out.push(`${pad}- ${line.text}`.trimEnd());
    else out.push(keepOffHeading(`${index === 0 ? pad : contentPad}${line.text}`));
  });
}

function printCode(code: CodeBlock, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  const contentPad = ' '.repeat(indent + (code.bullet ? 2 : 0));
  out.push(`${pad}${code.bullet ? '- ' : ''}${code.fence}${code.language}`);
  if (code.code.length > 0) {
    // Python ignores the indentation of comment lines, so keepOffHeading cannot change the code.
    for (const line of code.code.split('\n')) out.push(line ? keepOffHeading(contentPad + line) : '');
  }
  out.push(contentPad + code.fence);
}

export function branchHeader(branch: Pick<Branch, 'kind' | 'test'>): string {
  const test = branch.test ? testText(branch.test) : '';
  switch (branch.kind) {
    case 'if':
      return `If ${test}:`;
    case 'elseif':
      return `Otherwise, if ${test}:`;
    case 'else':
      return 'Otherwise:';
  }
}

export function testText(test: Test): string {
  return test.kind === 'python' ? `\`${test.expression}\`` : test.text;
}

/** A line written at column 0 as `## …` would start a step; indenting it by one space keeps it text. */
function keepOffHeading(line: string): string {
  return /^##(?:\s|$)/.test(line) ? ` ${line}` : line;
}
