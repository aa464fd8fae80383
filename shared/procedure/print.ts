// print(tree): canonical text. Front matter is kept exactly as written (comments and all); the body
// is normalised: `- ` bullets, two spaces per nesting level, `Otherwise, if` / `Otherwise:` headers,
// no trailing spaces, one blank line at most between blocks and exactly one between steps.
import type { Block, Branch, CodeBlock, Condition, Paragraph, ProcedureDocument, Step, Test } from './ast';

export function print(document: ProcedureDocument): string {
  const out: string[] = [];
  if (document.frontMatter) {
    const raw = document.frontMatter.raw;
    out.push('---');
    if (raw.length > 0) out.push(...raw.replace(/\r?\n$/, '').split(/\r?\n/));
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
  // Without front matter, a first line of --- would read back as the start of front matter.
  if (!document.frontMatter && /^---\s*$/.test(out[0] ?? '')) out.unshift('');
  return out.join('\n') + '\n';
}

export function printStep(step: Step): string[] {
  const out = [step.title ? `## ${step.title}` : '##'];
  printBlocks(step.body, 0, out, false);
  return out;
}

export function printBlocks(blocks: Block[], indent: number, out: string[], ignoreFirstBlank: boolean): void {
  blocks.forEach((block, index) => {
    if (block.blankBefore && !(index === 0 && ignoreFirstBlank)) out.push('');
    printBlock(block, indent, out);
  });
}

function printBlock(block: Block, indent: number, out: string[]): void {
  switch (block.kind) {
    case 'paragraph':
      return printParagraph(block, indent, out);
    case 'code':
      return printCode(block, indent, out);
    case 'condition':
      return printCondition(block, indent, out);
  }
}

function printParagraph(paragraph: Paragraph, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  const contentPad = ' '.repeat(indent + (paragraph.bullet ? 2 : 0));
  paragraph.lines.forEach((line, index) => {
    if (index === 0 && paragraph.bullet) out.push(`${pad}- ${line.text}`.trimEnd());
    else out.push(keepOffHeading(`${index === 0 ? pad : contentPad}${line.text}`));
  });
  printBlocks(paragraph.children, indent + 2, out, false);
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

function printCondition(condition: Condition, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent) + (condition.bullet ? '- ' : '');
  condition.branches.forEach((branch, index) => {
    if (index > 0 && branch.blankBefore) out.push('');
    out.push(pad + branchHeader(branch));
    printBlocks(branch.body, indent + 2, out, false);
  });
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
