// parse(text): the Procedure tree plus diagnostics. It never throws: a partial or broken document
// still gives a tree, so the editor and the graph keep working while the author types.
import type { Diagnostic, ParseResult, ProcedureDocument, Step } from './ast';
import { BlockParser } from './blocks';
import { parseFrontMatter } from './frontmatter';
import { IdAllocator, slugify } from './ids';
import { MAX_LINE_LENGTH } from './limits';
import { Source } from './source';

// The spaces after ## are taken whole (a lookahead cannot backtrack), so a heading-like line that
// fails to match is rejected in one pass rather than once per space.
const STEP_HEADING = /^##(?:(?=(\s+))\1|$)(.*)$/;

export function parse(text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const source = new Source(text);
  try {
    return { document: parseDocument(source, diagnostics), diagnostics };
  } catch (error) {
    // A bug in the parser must not take the editor down with it: report it and return what we can.
    const span = { start: source.at(1, 0), end: source.end() };
    diagnostics.push({ severity: 'error', code: 'internal', message: `Stepwise could not read this document (${String(error)}).`, span });
    return { document: { kind: 'document', frontMatter: null, preamble: [], steps: [], span }, diagnostics };
  }
}

function parseDocument(source: Source, diagnostics: Diagnostic[]): ProcedureDocument {
  reportLongLines(source, diagnostics);
  const { frontMatter, bodyStartLine } = parseFrontMatter(source, diagnostics);
  const lineCount = source.lines.length;
  const headings: number[] = [];
  for (let n = bodyStartLine; n <= lineCount; n++) {
    if (STEP_HEADING.test(source.lines[n - 1]!.text)) headings.push(n);
  }
  const preambleEnd = (headings[0] ?? lineCount + 1) - 1;
  const preamble = preambleEnd >= bodyStartLine ? new BlockParser(source, diagnostics, bodyStartLine, preambleEnd).parseAll() : [];

  const ids = new IdAllocator();
  const steps: Step[] = headings.map((line, index) => {
    const lastLine = (headings[index + 1] ?? lineCount + 1) - 1;
    const headingText = source.lines[line - 1]!.text;
    const title = STEP_HEADING.exec(headingText)![2]!.trim();
    const titleColumn = title ? headingText.indexOf(title, 2) : headingText.length;
    const titleSpan = source.range(line, titleColumn, titleColumn + title.length);
    if (!title) {
      diagnostics.push({ severity: 'error', code: 'empty-step-title', message: 'This step has no title: write it after ##, like `## Find the order`.', span: source.lineSpan(line) });
    }
    const body = lastLine > line ? new BlockParser(source, diagnostics, line + 1, lastLine).parseAll() : [];
    let spanEnd = lastLine;
    while (spanEnd > line && source.lines[spanEnd - 1]!.text.trim() === '') spanEnd -= 1;
    return { kind: 'step', title, id: ids.next(`step:${slugify(title)}`), titleSpan, body, span: source.linesSpan(line, spanEnd) };
  });

  return { kind: 'document', frontMatter, preamble, steps, span: { start: source.at(1, 0), end: source.end() } };
}

function reportLongLines(source: Source, diagnostics: Diagnostic[]): void {
  for (const line of source.lines) {
    if (line.text.length <= MAX_LINE_LENGTH) continue;
    diagnostics.push({
      severity: 'error',
      code: 'line-too-long',
      message: `This line is ${line.text.length.toLocaleString('en-US')} characters long; lines may hold at most ${MAX_LINE_LENGTH.toLocaleString('en-US')}. Break it into shorter lines.`,
      span: source.range(line.number, MAX_LINE_LENGTH, line.text.length),
    });
  }
}
