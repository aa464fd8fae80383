// Walks a Procedure in document order, yielding what the validator and other tools look at.
import type { Block, CodeBlock, Condition, InlineRef, Position, ProcedureDocument, Step, Test } from './ast';
import type { SnippetMapper } from './python-refs';

export interface PythonSnippet {
  /** `condition` for a test in backticks, `code` for a ```python block. */
  mode: 'condition' | 'code';
  code: string;
  /** Document position of the snippet's first character. */
  origin: Position;
  /** Maps a 0-based (line, column) in the snippet to the document. */
  map: SnippetMapper;
}

export type WalkEvent =
  | { kind: 'ref'; ref: InlineRef; step: Step | null }
  | { kind: 'python'; snippet: PythonSnippet; step: Step | null }
  | { kind: 'condition'; condition: Condition; step: Step | null }
  | { kind: 'code'; block: CodeBlock; step: Step | null };

/** Everything the checks look at, in document order. An array rather than a generator: it is
 * walked several times per keystroke and generators cost more than the walk itself. */
export function walkDocument(document: ProcedureDocument): WalkEvent[] {
  const events: WalkEvent[] = [];
  walkBlocks(document.preamble, null, events);
  for (const step of document.steps) walkBlocks(step.body, step, events);
  return events;
}

export function walkBlocks(blocks: Block[], step: Step | null, events: WalkEvent[] = []): WalkEvent[] {
  for (const block of blocks) {
    switch (block.kind) {
      case 'paragraph':
        for (const line of block.lines) for (const ref of line.refs) events.push({ kind: 'ref', ref, step });
        walkBlocks(block.children, step, events);
        break;
      case 'code':
        events.push({ kind: 'code', block, step });
        if (block.language === 'python') events.push({ kind: 'python', snippet: codeSnippet(block), step });
        break;
      case 'condition':
        events.push({ kind: 'condition', condition: block, step });
        for (const branch of block.branches) {
          if (branch.test) walkTest(branch.test, step, events);
          walkBlocks(branch.body, step, events);
        }
        break;
    }
  }
  return events;
}

function walkTest(test: Test, step: Step | null, events: WalkEvent[]): void {
  if (test.kind === 'plain') {
    for (const ref of test.refs) events.push({ kind: 'ref', ref, step });
  } else {
    events.push({ kind: 'python', snippet: testSnippet(test), step });
  }
}

export function codeSnippet(block: CodeBlock): PythonSnippet {
  const positions = block.linePositions;
  const fallback = block.span.start;
  const map: SnippetMapper = (line, column) => {
    const start = positions[line] ?? positions[positions.length - 1] ?? fallback;
    return { line: start.line, column: start.column + column, offset: start.offset + column };
  };
  return { mode: 'code', code: block.code, origin: map(0, 0), map };
}

export function testSnippet(test: Extract<Test, { kind: 'python' }>): PythonSnippet {
  // The expression sits one character after the opening backtick.
  const origin = { line: test.span.start.line, column: test.span.start.column + 1, offset: test.span.start.offset + 1 };
  const map: SnippetMapper = (_line, column) => ({ line: origin.line, column: origin.column + column, offset: origin.offset + column });
  return { mode: 'condition', code: test.expression, origin, map };
}

/** Every Python snippet in the document, for the sandbox's syntax-and-policy check. */
export function pythonSnippets(document: ProcedureDocument): PythonSnippet[] {
  const snippets: PythonSnippet[] = [];
  for (const event of walkDocument(document)) if (event.kind === 'python') snippets.push(event.snippet);
  return snippets;
}

/** Names of the Procedures this one calls as sub-procedures (`[[…]]`), in order, without repeats. */
export function calledProcedures(document: ProcedureDocument): string[] {
  const names = new Set<string>();
  for (const event of walkDocument(document)) if (event.kind === 'ref' && event.ref.kind === 'subprocedure') names.add(event.ref.name);
  return [...names];
}

/** Connector actions this Procedure names, as `connector.action`. */
export function namedActions(document: ProcedureDocument): string[] {
  const names = new Set<string>();
  for (const event of walkDocument(document)) {
    if (event.kind === 'ref' && event.ref.kind === 'action') names.add(`${event.ref.connector}.${event.ref.action}`);
  }
  return [...names];
}
