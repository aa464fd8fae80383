// Block structure of a step body: paragraphs, bullet items, fenced code and conditions.
// Indentation decides nesting: the items of a branch, and the children of an item, sit two spaces
// deeper than the line that owns them.
import type { Block, Branch, CodeBlock, Condition, Diagnostic, Paragraph, Position, Span, Test, TextLine } from './ast';
import { endsSentence, parseInline } from './inline';
import { MAX_NESTING_DEPTH } from './limits';
import { indentOf, indentWidth, type Source } from './source';

// The test starts and ends with a non-space character. (A lazy `(.+?)\s*:` retried every split of
// a run of spaces: "If" followed by 10,000 spaces and a letter took minutes to reject.)
export const IF_HEADER = /^if\s+(\S(?:.*\S)?)\s*:\s*$/i;
export const ELSE_IF_HEADER = /^(?:otherwise,?\s+if|else,?\s+if|elif)\s+(\S(?:.*\S)?)\s*:\s*$/i;
export const ELSE_HEADER = /^(?:otherwise|else)\s*:\s*$/i;
const BULLET = /^[-*+](?:\s+|$)/;
const FENCE_OPEN = /^(`{3,}|~{3,})\s*([\w+-]*)\s*$/;

/** One source line seen by the block parser. */
interface Line {
  number: number;
  text: string;
  /** Indent width (tab = 2). */
  indent: number;
  /** Characters of leading whitespace. */
  lead: number;
  blank: boolean;
}

export class BlockParser {
  private readonly lines: Line[];
  /** How many sequences enclose the one being parsed (0 for a step's body). */
  private depth = 0;

  constructor(
    private readonly source: Source,
    private readonly diagnostics: Diagnostic[],
    firstLine: number,
    lastLine: number,
  ) {
    this.lines = [];
    for (let n = firstLine; n <= lastLine; n++) {
      const text = source.lines[n - 1]!.text;
      this.lines.push({ number: n, text, indent: indentWidth(text), lead: indentOf(text), blank: text.trim() === '' });
    }
  }

  parseAll(): Block[] {
    const { blocks } = this.sequence(0, 0, false);
    return blocks;
  }

  /**
   * Parses blocks whose lines are indented at least `indent`, starting at line index `i`.
   * With `bulletsOnly`, the sequence ends at the first line that is not a bullet item.
   */
  private sequence(start: number, indent: number, bulletsOnly: boolean): { blocks: Block[]; next: number } {
    if (this.depth > MAX_NESTING_DEPTH) return this.tooDeep(start, indent, bulletsOnly);
    const blocks: Block[] = [];
    let i = start;
    while (i < this.lines.length) {
      const line = this.lines[i]!;
      if (line.blank) {
        i += 1;
        continue;
      }
      if (line.indent < indent) break;
      const content = line.text.slice(line.lead);
      const bullet = BULLET.exec(content);
      if (bulletsOnly && !bullet) break;
      const blankBefore = i > 0 && this.lines[i - 1]!.blank;
      const previous = blocks[blocks.length - 1];
      const result = bullet
        ? this.bulletItem(i, line, content, bullet[0].length, previous)
        : this.plainBlock(i, line, content, indent, previous);
      if (result.block) {
        result.block.blankBefore = blankBefore;
        blocks.push(result.block);
      } else if (result.branch) {
        result.branch.blankBefore = blankBefore;
      }
      i = result.next;
    }
    // Trailing blank lines belong to whatever follows this sequence.
    while (i > start && this.lines[i - 1]!.blank) i -= 1;
    return { blocks, next: i };
  }

  private plainBlock(i: number, line: Line, content: string, indent: number, previous: Block | undefined): BlockResult {
    const fence = FENCE_OPEN.exec(content.trimEnd());
    if (fence) return this.codeBlock(i, line, line.lead, fence, false);
    const header = this.branchHeader(line, line.lead, content);
    if (header) {
      if (header.kind === 'if') {
        const condition: Condition = { kind: 'condition', bullet: false, blankBefore: false, branches: [], span: header.headerSpan };
        const next = this.branchBody(i + 1, line.indent, header, false, indent);
        condition.branches.push(header);
        condition.span = header.span;
        return { block: condition, next };
      }
      // Same list level, so the same condition, whatever the exact indentation (print normalises it).
      if (previous?.kind === 'condition' && !previous.bullet) {
        const next = this.branchBody(i + 1, line.indent, header, false, indent);
        previous.branches.push(header);
        previous.span = { start: previous.span.start, end: header.span.end };
        return { branch: header, next };
      }
      this.orphanOtherwise(header);
    }
    return this.paragraph(i, indent, false);
  }

  private bulletItem(i: number, line: Line, content: string, markerLength: number, previous: Block | undefined): BlockResult {
    const column = line.lead + markerLength;
    const itemText = content.slice(markerLength);
    const childIndent = line.indent + 2;
    const fence = FENCE_OPEN.exec(itemText.trimEnd());
    if (fence) return this.codeBlock(i, line, column, fence, true);
    const header = itemText ? this.branchHeader(line, column, itemText) : null;
    if (header) {
      if (header.kind === 'if') {
        const condition: Condition = { kind: 'condition', bullet: true, blankBefore: false, branches: [header], span: header.span };
        const next = this.branchBody(i + 1, line.indent, header, true);
        condition.span = header.span;
        return { block: condition, next };
      }
      if (previous?.kind === 'condition' && previous.bullet) {
        const next = this.branchBody(i + 1, line.indent, header, true);
        previous.branches.push(header);
        previous.span = { start: previous.span.start, end: header.span.end };
        return { branch: header, next };
      }
      this.orphanOtherwise(header);
    }
    // A plain item: its text, continuation lines, then nested children.
    const paragraph: Paragraph = {
      kind: 'paragraph',
      bullet: true,
      blankBefore: false,
      lines: [this.textLine(line.number, column, itemText, true)],
      children: [],
      span: this.source.lineSpan(line.number),
    };
    let next = i + 1;
    while (next < this.lines.length) {
      const candidate = this.lines[next]!;
      if (candidate.blank || candidate.indent < childIndent) break;
      const rest = candidate.text.slice(candidate.lead);
      if (startsBlock(rest)) break;
      const previousText = paragraph.lines[paragraph.lines.length - 1]!.text;
      paragraph.lines.push(this.textLine(candidate.number, candidate.lead, rest, endsSentence(previousText)));
      next += 1;
    }
    const children = this.nested(() => this.sequence(next, childIndent, false));
    paragraph.children = children.blocks;
    next = children.next;
    paragraph.span = this.spanTo(line.number, next);
    return { block: paragraph, next };
  }

  /** Parses the body of a branch whose header sits at `headerIndent`, and fills in the branch. */
  private branchBody(i: number, headerIndent: number, branch: Branch, headerIsBullet: boolean, sequenceIndent = 0): number {
    // Canonical bodies are bullets two spaces deeper. A plain `If …:` may also be followed by a
    // Markdown list that is not deeper than it (but still inside the enclosing list level).
    const firstContent = this.nextNonBlank(i);
    const first = firstContent === -1 ? undefined : this.lines[firstContent]!;
    const listAtHeaderIndent =
      !headerIsBullet && first && first.indent <= headerIndent && first.indent >= sequenceIndent && BULLET.test(this.contentOf(firstContent));
    const body = this.nested(() => (listAtHeaderIndent ? this.sequence(i, first.indent, true) : this.sequence(i, headerIndent + 1, false)));
    branch.body = body.blocks;
    branch.span = this.spanTo(branch.headerSpan.start.line, body.next);
    return body.next;
  }

  private nested<T>(parse: () => T): T {
    this.depth += 1;
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  /**
   * A sequence nested deeper than MAX_NESTING_DEPTH: reported once, and its lines kept as plain
   * paragraphs, so that nothing is lost and neither parsing nor printing recurses any deeper.
   */
  private tooDeep(start: number, indent: number, bulletsOnly: boolean): { blocks: Block[]; next: number } {
    const blocks: Block[] = [];
    let i = start;
    let reported = false;
    while (i < this.lines.length) {
      const line = this.lines[i]!;
      if (line.blank) {
        i += 1;
        continue;
      }
      if (line.indent < indent || (bulletsOnly && !BULLET.test(line.text.slice(line.lead)))) break;
      if (!reported) {
        this.diagnostics.push({
          severity: 'error',
          code: 'nesting-too-deep',
          message: `This is nested more than ${MAX_NESTING_DEPTH} levels deep, so it is read as plain text. Move the deeper part into a step of its own or a sub-procedure.`,
          span: this.source.range(line.number, line.lead, line.text.trimEnd().length),
        });
        reported = true;
      }
      const paragraph: Paragraph = { kind: 'paragraph', bullet: false, blankBefore: i > 0 && this.lines[i - 1]!.blank, lines: [], children: [], span: this.source.lineSpan(line.number) };
      const first = i;
      while (i < this.lines.length && !this.lines[i]!.blank && this.lines[i]!.indent >= indent) {
        const current = this.lines[i]!;
        // A list under a plain `If …:` ends, or starts its next item, at its own indentation.
        if (bulletsOnly && i > first && current.indent < indent + 2) break;
        const previousText = paragraph.lines[paragraph.lines.length - 1]?.text;
        paragraph.lines.push(this.textLine(current.number, current.lead, current.text.slice(current.lead), previousText === undefined || endsSentence(previousText)));
        i += 1;
      }
      paragraph.span = this.spanTo(line.number, i);
      blocks.push(paragraph);
    }
    while (i > start && this.lines[i - 1]!.blank) i -= 1;
    return { blocks, next: i };
  }

  private branchHeader(line: Line, column: number, text: string): Branch | null {
    const trimmed = text.trimEnd();
    const headerSpan = this.source.range(line.number, column, column + trimmed.length);
    const make = (kind: Branch['kind'], test: Test | null): Branch => ({ kind, test, headerSpan, body: [], blankBefore: false, span: headerSpan });
    let match = ELSE_IF_HEADER.exec(trimmed);
    if (match) return make('elseif', this.test(line.number, column + trimmed.indexOf(match[1]!), match[1]!));
    match = IF_HEADER.exec(trimmed);
    if (match) return make('if', this.test(line.number, column + trimmed.indexOf(match[1]!, 2), match[1]!));
    if (ELSE_HEADER.test(trimmed)) return make('else', null);
    return null;
  }

  private test(lineNumber: number, column: number, text: string): Test {
    const span = this.source.range(lineNumber, column, column + text.length);
    const python = /^`([^`]+)`$/.exec(text);
    if (python) return { kind: 'python', expression: python[1]!, span };
    const refs = parseInline(text, { source: this.source, line: lineNumber, column, sentenceStart: false, diagnostics: this.diagnostics });
    return { kind: 'plain', text, refs, span };
  }

  private orphanOtherwise(header: Branch) {
    if (header.kind === 'if') return;
    this.diagnostics.push({
      severity: 'error',
      code: 'orphan-otherwise',
      message: 'This "Otherwise" has no "If …:" before it at the same indentation.',
      span: header.headerSpan,
    });
  }

  private paragraph(i: number, indent: number, bullet: boolean): BlockResult {
    const first = this.lines[i]!;
    const paragraph: Paragraph = { kind: 'paragraph', bullet, blankBefore: false, lines: [], children: [], span: this.source.lineSpan(first.number) };
    let next = i;
    while (next < this.lines.length) {
      const line = this.lines[next]!;
      if (line.blank || line.indent < indent) break;
      const content = line.text.slice(line.lead);
      if (next > i && startsBlock(content)) break;
      const previousText = paragraph.lines[paragraph.lines.length - 1]?.text;
      paragraph.lines.push(this.textLine(line.number, line.lead, content, previousText === undefined || endsSentence(previousText)));
      next += 1;
    }
    paragraph.span = this.spanTo(first.number, next);
    return { block: paragraph, next };
  }

  private codeBlock(i: number, line: Line, column: number, fence: RegExpExecArray, bullet: boolean): BlockResult {
    const marker = fence[1]!;
    const language = fence[2]!.toLowerCase();
    const closer = new RegExp(`^${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    const codeLines: string[] = [];
    const linePositions: Position[] = [];
    let next = i + 1;
    let closed = false;
    while (next < this.lines.length) {
      const candidate = this.lines[next]!;
      const trimmed = candidate.text.trim();
      if (closer.test(trimmed)) {
        closed = true;
        next += 1;
        break;
      }
      const stripped = leadingUpTo(candidate.text, column);
      codeLines.push(candidate.text.slice(stripped).trimEnd());
      linePositions.push(this.source.at(candidate.number, stripped));
      next += 1;
    }
    if (!closed) {
      this.diagnostics.push({
        severity: 'error',
        code: 'unclosed-code',
        message: `This code block is never closed: add a line with ${marker} after the code.`,
        span: this.source.range(line.number, column, line.text.length),
      });
    }
    const block: CodeBlock = {
      kind: 'code',
      bullet,
      blankBefore: false,
      language,
      code: codeLines.join('\n'),
      fence: marker,
      linePositions,
      closed,
      span: this.spanTo(line.number, next),
    };
    return { block, next };
  }

  private textLine(lineNumber: number, column: number, text: string, sentenceStart: boolean): TextLine {
    const trimmed = text.trimEnd();
    return {
      text: trimmed,
      span: this.source.range(lineNumber, column, column + trimmed.length),
      refs: parseInline(trimmed, { source: this.source, line: lineNumber, column, sentenceStart, diagnostics: this.diagnostics }),
    };
  }

  private nextNonBlank(i: number): number {
    while (i < this.lines.length && this.lines[i]!.blank) i += 1;
    return i < this.lines.length ? i : -1;
  }

  private contentOf(i: number): string {
    const line = this.lines[i]!;
    return line.text.slice(line.lead);
  }

  /** Span from the start of `firstLine` to the end of the last non-blank line before index `next`. */
  private spanTo(firstLine: number, next: number): Span {
    let last = next - 1;
    while (last >= 0 && this.lines[last]!.blank) last -= 1;
    const lastLine = last >= 0 ? Math.max(firstLine, this.lines[last]!.number) : firstLine;
    // Start where the block's text starts, after its indentation.
    const lead = indentOf(this.source.lines[firstLine - 1]?.text ?? '');
    return { start: this.source.at(firstLine, lead), end: this.source.lineSpan(lastLine).end };
  }
}

type BlockResult = { block?: Block; branch?: Branch; next: number };

function startsBlock(content: string): boolean {
  const trimmed = content.trimEnd();
  return (
    BULLET.test(content) ||
    FENCE_OPEN.test(trimmed) ||
    IF_HEADER.test(trimmed) ||
    ELSE_IF_HEADER.test(trimmed) ||
    ELSE_HEADER.test(trimmed)
  );
}

/** How many of the first `column` characters are whitespace: the block's indentation, not the code's. */
function leadingUpTo(text: string, column: number): number {
  let i = 0;
  while (i < column && i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
  return i;
}
