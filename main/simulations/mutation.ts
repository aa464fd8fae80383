// Mutants of a Procedure, for mutation testing of its simulations: small, deliberate breakages a
// good suite should notice. Each mutant is the original text with one change, made as text edits at
// the parser's spans, so nothing else in the document moves:
//   flip-comparison   one Python comparison negated (`<=` → `>`, `==` → `!=`…), in a condition or a code step
//   swap-branches     the bodies of a condition's first two branches exchanged
//   drop-handoff      one `@handoff Team` removed
//   drop-end          one `@end` removed
//   drop-action       one `@connector.action` call removed
//   negate-condition  one plain-language test turned into "it is not the case that …"
// Pure: the run (main/simulations/mutation-run.ts) decides what to do with them.
import { parse, toGraph, validate, type Block, type Branch, type Diagnostic, type GraphNode, type ProcedureDocument, type ValidationContext } from '../../shared/procedure';
import { walkDocument } from '../../shared/procedure/walk';
import { procedureNodeWords, sayNode } from './node-words';

export const MUTATION_OPERATORS = ['flip-comparison', 'swap-branches', 'drop-handoff', 'drop-end', 'drop-action', 'negate-condition'] as const;
export type MutationOperator = (typeof MUTATION_OPERATORS)[number];

export interface TextEdit {
  /** 0-based offsets into the original text, end exclusive. */
  start: number;
  end: number;
  replacement: string;
}

export interface Mutant {
  /** `m1`, `m2`… in document order of operator, stable for one text. */
  id: string;
  operator: MutationOperator;
  /** What changed, in words: "`<=` → `>` in the condition `attributes[…] <= 30`". */
  description: string;
  /** The graph node the change sits in (the innermost: a branch, a condition, a step). */
  nodeId: string | null;
  /** The branch the change sits in, if any: the one no simulation really tests when the mutant survives. */
  branchId: string | null;
  stepId: string | null;
  /** That branch (else step) in the Procedure's words, for people and the author model: “Resolve” → Otherwise. */
  place: string | null;
  /** 1-based line of the change. */
  line: number;
  edits: TextEdit[];
  text: string;
}

/** Python comparison → its negation. */
const FLIPS: Record<string, string> = { '==': '!=', '!=': '==', '<=': '>', '>=': '<', '<': '>=', '>': '<=' };

/** Every mutant of a Procedure text, by operator. */
export function mutants(text: string): Mutant[] {
  const document = parse(text).document;
  const nodes = toGraph(document).nodes;
  // `anchor`: the offset that says where the mutant is (the operator, the condition's header, the reference).
  const found: (Omit<Mutant, 'id' | 'nodeId' | 'branchId' | 'stepId' | 'place' | 'line' | 'text'> & { anchor: number })[] = [];
  const events = walkDocument(document);
  for (const event of events) {
    if (event.kind !== 'python') continue;
    for (const comparison of pythonComparisons(event.snippet.code)) {
      const at = event.snippet.map(comparison.line, comparison.column).offset;
      const flipped = FLIPS[comparison.operator]!;
      found.push({ operator: 'flip-comparison', anchor: at, description: `\`${comparison.operator}\` → \`${flipped}\` in ${event.snippet.mode === 'condition' ? 'the condition' : 'the code'} \`${event.snippet.code.split('\n')[comparison.line]!.trim()}\``, edits: [{ start: at, end: at + comparison.operator.length, replacement: flipped }] });
    }
  }
  for (const event of events) {
    if (event.kind !== 'condition') continue;
    const [first, second] = event.condition.branches;
    if (!first || !second || first.body.length === 0 || second.body.length === 0) continue;
    const a = bodyRange(text, first.body);
    const b = bodyRange(text, second.body);
    if (a.indent !== b.indent) continue;
    found.push({
      operator: 'swap-branches',
      anchor: first.headerSpan.start.offset,
      description: `the branches "${headerText(text, first.headerSpan)}" and "${headerText(text, second.headerSpan)}" swapped`,
      edits: [
        { start: a.start, end: a.end, replacement: text.slice(b.start, b.end) },
        { start: b.start, end: b.end, replacement: text.slice(a.start, a.end) },
      ],
    });
  }
  for (const event of events) {
    if (event.kind !== 'ref') continue;
    const { ref } = event;
    if (ref.kind !== 'handoff' && ref.kind !== 'end' && ref.kind !== 'action') continue;
    const operator: MutationOperator = ref.kind === 'handoff' ? 'drop-handoff' : ref.kind === 'end' ? 'drop-end' : 'drop-action';
    const written = text.slice(ref.span.start.offset, ref.span.end.offset);
    found.push({ operator, anchor: ref.span.start.offset, description: `\`${written}\` removed`, edits: [dropEdit(text, ref.span.start.offset, ref.span.end.offset)] });
  }
  for (const event of events) {
    if (event.kind !== 'condition') continue;
    for (const branch of event.condition.branches) {
      if (branch.test?.kind !== 'plain') continue;
      const { span, text: test } = branch.test;
      const negated = `it is not the case that ${test.charAt(0).toLowerCase()}${test.slice(1)}`;
      found.push({ operator: 'negate-condition', anchor: span.start.offset, description: `"${test}" negated`, edits: [{ start: span.start.offset, end: span.end.offset, replacement: negated }] });
    }
  }
  const words = procedureNodeWords(text);
  return found.map(({ anchor, ...mutant }, index) => {
    const node = innermostNode(nodes, anchor);
    const step = document.steps.find((candidate) => candidate.span.start.offset <= anchor && anchor <= candidate.span.end.offset) ?? null;
    const branchId = branchAt(document, nodes, anchor);
    const stepId = node?.stepId ?? (node?.kind === 'step' ? node.id : (step?.id ?? null));
    const placeId = branchId ?? stepId;
    return {
      ...mutant,
      id: `m${index + 1}`,
      nodeId: node?.id ?? step?.id ?? null,
      branchId,
      stepId,
      place: placeId === null ? null : sayNode(words, placeId),
      line: lineOf(text, anchor),
      text: applyEdits(text, mutant.edits),
    };
  });
}

/** Errors `validate` finds in a mutant that the original did not have: such a mutant is not run. */
export function mutantErrors(original: string, mutant: string, context: ValidationContext): Diagnostic[] {
  const before = new Set(errorsOf(parse(original).document, context).map((diagnostic) => `${diagnostic.code}:${diagnostic.message}`));
  return errorsOf(parse(mutant).document, context).filter((diagnostic) => !before.has(`${diagnostic.code}:${diagnostic.message}`));
}

function errorsOf(document: ProcedureDocument, context: ValidationContext): Diagnostic[] {
  return validate(document, context).filter((diagnostic) => diagnostic.severity === 'error');
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.replacement + result.slice(edit.end);
  return result;
}

/**
 * Removes a reference; a line left with nothing to say (only its bullet, or punctuation) says
 * "Continue to the next step." instead, so the list item stays a list item.
 */
function dropEdit(text: string, start: number, end: number): TextEdit {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndRaw = text.indexOf('\n', end);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  const rest = `${before}${after}`.replace(/^\s*(?:[-*]\s+)?/, '');
  if (/^[\s.,;:!]*$/.test(rest)) return { start, end: lineEnd, replacement: 'Continue to the next step.' };
  // Take the space before the reference with it: "Thank them. @end" → "Thank them."
  const spaced = before.endsWith(' ') ? start - 1 : start;
  return { start: spaced, end, replacement: '' };
}

/** Where a branch's body lines start and end (whole lines), and their indentation. */
function bodyRange(text: string, body: Block[]): { start: number; end: number; indent: string } {
  const first = body[0]!.span.start.offset;
  const start = text.lastIndexOf('\n', first - 1) + 1;
  const lastEnd = body[body.length - 1]!.span.end.offset;
  const newline = text.indexOf('\n', Math.max(lastEnd - 1, start));
  const end = newline < 0 ? text.length : newline;
  return { start, end, indent: text.slice(start, first) };
}

function headerText(text: string, span: { start: { offset: number }; end: { offset: number } }): string {
  return text.slice(span.start.offset, span.end.offset).replace(/:$/, '');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index >= 0 && index < offset; index = text.indexOf('\n', index + 1)) line += 1;
  return line;
}

/**
 * The graph id of the innermost branch whose header or body holds the offset. A branch node's span
 * is its header only, so the branch is found in the document and matched to its node by line.
 */
function branchAt(document: ProcedureDocument, nodes: readonly GraphNode[], offset: number): string | null {
  let found: Branch | null = null;
  const visit = (blocks: readonly Block[]) => {
    for (const block of blocks) {
      if (block.kind === 'paragraph') visit(block.children);
      if (block.kind !== 'condition') continue;
      for (const branch of block.branches) {
        if (branch.span.start.offset > offset || branch.span.end.offset < offset) continue;
        found = branch;
        visit(branch.body);
      }
    }
  };
  for (const step of document.steps) visit(step.body);
  const branch = found as Branch | null;
  if (!branch) return null;
  return nodes.find((node) => node.kind === 'branch' && node.line === branch.headerSpan.start.line)?.id ?? null;
}

/** The smallest graph node whose span holds the offset (a branch inside a condition inside a step). */
function innermostNode(nodes: readonly GraphNode[], offset: number): GraphNode | null {
  let best: GraphNode | null = null;
  for (const node of nodes) {
    if (node.span.start.offset > offset || node.span.end.offset < offset) continue;
    // On a tie the later node is the inner one (a first branch shares its condition's header).
    if (!best || node.span.end.offset - node.span.start.offset <= best.span.end.offset - best.span.start.offset) best = node;
  }
  return best;
}

/**
 * The comparison operators of Python code, outside strings and comments, with 0-based line and
 * column. Not `<<`, `>>`, `->`, `<>`, nor `=` of an assignment.
 */
export function pythonComparisons(code: string): { operator: string; line: number; column: number }[] {
  const found: { operator: string; line: number; column: number }[] = [];
  const lines = code.split('\n');
  let quote: string | null = null;
  for (const [lineIndex, line] of lines.entries()) {
    for (let column = 0; column < line.length; column++) {
      const char = line[column]!;
      if (quote) {
        if (char === '\\') column += 1;
        else if (line.startsWith(quote, column)) {
          column += quote.length - 1;
          quote = null;
        }
        continue;
      }
      if (char === '#') break;
      if (char === '"' || char === "'") {
        quote = line.startsWith(char.repeat(3), column) ? char.repeat(3) : char;
        column += quote.length - 1;
        continue;
      }
      const two = line.slice(column, column + 2);
      if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
        found.push({ operator: two, line: lineIndex, column });
        column += 1;
        continue;
      }
      if ((char === '<' || char === '>') && !'<>-='.includes(line[column - 1] ?? '') && !'<>'.includes(line[column + 1] ?? '')) found.push({ operator: char, line: lineIndex, column });
    }
    // A one-quote string never spans lines; a triple-quoted one may.
    if (quote && quote.length === 1) quote = null;
  }
  return found;
}

