// What a parsed document says, without where it says it: the tree, the graph and the diagnostics with
// every position left out. Two texts of the same shape mean the same thing; `fmt` writes a file only
// when the printed text parses back to the shape it started from.
import type { ParseResult } from './ast';
import { toGraph } from './graph';
import { validate } from './validate';

// Keys that hold positions in the text (or layout the printer normalises), not meaning.
const POSITION_KEYS = new Set(['span', 'titleSpan', 'headerSpan', 'nameSpan', 'linePositions', 'line', 'blankBefore', 'deadBlocks']);

export interface DocumentShape {
  document: string;
  graph: string;
  diagnostics: string;
}

export function documentShape({ document, diagnostics }: ParseResult): DocumentShape {
  const withoutPositions = (value: unknown) =>
    JSON.stringify(value, (key, inner: unknown) => {
      if (POSITION_KEYS.has(key)) return undefined;
      // The front matter is printed line by line as written; only its line breaks may change.
      if (key === 'raw' && typeof inner === 'string') return inner.replace(/\r\n?/g, '\n');
      return inner;
    });
  const found = [...diagnostics, ...validate(document)].map(({ severity, code, message }) => ({ severity, code, message }));
  return { document: withoutPositions(document), graph: withoutPositions(toGraph(document)), diagnostics: withoutPositions(found) };
}

/** The parts in which two parses differ (`document`, `graph`, `diagnostics`); empty when none do. */
export function shapeDifferences(before: ParseResult, after: ParseResult): (keyof DocumentShape)[] {
  const a = documentShape(before);
  const b = documentShape(after);
  return (Object.keys(a) as (keyof DocumentShape)[]).filter((part) => a[part] !== b[part]);
}
