// Graph edits as text edits. Each edit changes only the lines it concerns and returns both the new
// text and the line edits, so the editor can apply them as one undoable change.
import type { Branch, Condition, ProcedureDocument, Step } from './ast';
import { toGraph } from './graph';
import { parse } from './parse';
import { walkDocument } from './walk';

/** Replace lines [startLine, endLine) (1-based, end exclusive) with `lines`. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  lines: string[];
}

export type EditResult = { ok: true; text: string; edits: LineEdit[] } | { ok: false; error: string };

const DEFAULT_BRANCH_BODY = 'Say what the agent should do in this case.';

class Lines {
  readonly eol: string;
  readonly lines: string[];
  private readonly finalNewline: boolean;

  constructor(text: string) {
    // Lines break where the parser breaks them: at LF, CRLF or a lone CR.
    this.eol = text.includes('\r\n') ? '\r\n' : text.includes('\r') && !text.includes('\n') ? '\r' : '\n';
    this.lines = text.split(/\r\n|\r|\n/);
    this.finalNewline = this.lines.length > 1 && this.lines[this.lines.length - 1] === '';
    if (this.finalNewline) this.lines.pop();
  }

  get count(): number {
    return this.lines.length;
  }

  line(number: number): string {
    return this.lines[number - 1] ?? '';
  }

  isBlank(number: number): boolean {
    return this.line(number).trim() === '';
  }

  /** Applies edits given in terms of the original line numbers; they must not overlap. */
  apply(edits: LineEdit[]): EditResult {
    const sorted = [...edits].sort((a, b) => b.startLine - a.startLine);
    const lines = [...this.lines];
    for (const edit of sorted) lines.splice(edit.startLine - 1, edit.endLine - edit.startLine, ...edit.lines);
    const text = lines.join(this.eol) + (this.finalNewline || lines.length === 0 ? this.eol : '');
    return { ok: true, text, edits: [...edits].sort((a, b) => a.startLine - b.startLine) };
  }
}

interface Context {
  document: ProcedureDocument;
  lines: Lines;
}

function load(text: string): Context {
  return { document: parse(text).document, lines: new Lines(text) };
}

function findStep(context: Context, stepId: string): Step | undefined {
  return context.document.steps.find((step) => step.id === stepId);
}

/** Lines [first, end) of a step, including the blank lines after it. */
function stepRange(context: Context, step: Step): { first: number; end: number } {
  const index = context.document.steps.indexOf(step);
  const next = context.document.steps[index + 1];
  return { first: step.span.start.line, end: next ? next.span.start.line : context.lines.count + 1 };
}

function stepLines(title: string, body: string[]): string[] {
  return [`## ${title.trim()}`, ...body];
}

function checkTitle(title: string): string | null {
  if (!title.trim()) return 'A step needs a title.';
  if (/[\r\n]/.test(title)) return 'A step title must fit on one line.';
  return null;
}

export function insertStepAfter(text: string, afterStepId: string | null, title: string, body: string[] = []): EditResult {
  const problem = checkTitle(title);
  if (problem) return { ok: false, error: problem };
  const context = load(text);
  const { document, lines } = context;
  const chunk = stepLines(title, body);
  if (afterStepId === null) {
    const first = document.steps[0];
    if (first) return lines.apply([{ startLine: first.span.start.line, endLine: first.span.start.line, lines: [...chunk, ''] }]);
    return appendAtEnd(lines, chunk);
  }
  const after = findStep(context, afterStepId);
  if (!after) return { ok: false, error: `There is no step with id ${afterStepId}.` };
  const { end } = stepRange(context, after);
  if (end > lines.count) return appendAtEnd(lines, chunk);
  return lines.apply([{ startLine: end, endLine: end, lines: [...chunk, ''] }]);
}

function appendAtEnd(lines: Lines, chunk: string[]): EditResult {
  const at = lines.count + 1;
  const needsBlank = lines.count > 0 && !lines.isBlank(lines.count);
  return lines.apply([{ startLine: at, endLine: at, lines: needsBlank ? ['', ...chunk] : chunk }]);
}

export function deleteStep(text: string, stepId: string): EditResult {
  const context = load(text);
  const step = findStep(context, stepId);
  if (!step) return { ok: false, error: `There is no step with id ${stepId}.` };
  const range = stepRange(context, step);
  const end = range.end;
  let first = range.first;
  // The last step: also drop the blank line that separated it from the step before.
  if (end > context.lines.count) while (first > 1 && context.lines.isBlank(first - 1)) first -= 1;
  return context.lines.apply([{ startLine: first, endLine: end, lines: [] }]);
}

export function renameStep(text: string, stepId: string, newTitle: string): EditResult {
  const problem = checkTitle(newTitle);
  if (problem) return { ok: false, error: problem };
  const context = load(text);
  const step = findStep(context, stepId);
  if (!step) return { ok: false, error: `There is no step with id ${stepId}.` };
  const edits: LineEdit[] = [{ startLine: step.span.start.line, endLine: step.span.start.line + 1, lines: [`## ${newTitle.trim()}`] }];
  // Links to the step move with it: [[#Old title]] becomes [[#New title]].
  const byLine = new Map<number, { from: number; to: number }[]>();
  for (const event of walkDocument(context.document)) {
    if (event.kind === 'ref' && event.ref.kind === 'goto' && event.ref.step.toLowerCase() === step.title.toLowerCase()) {
      const spans = byLine.get(event.ref.span.start.line) ?? [];
      spans.push({ from: event.ref.span.start.column - 1, to: event.ref.span.end.column - 1 });
      byLine.set(event.ref.span.start.line, spans);
    }
  }
  for (const [line, spans] of byLine) {
    let textLine = context.lines.line(line);
    for (const span of spans.sort((a, b) => b.from - a.from)) {
      textLine = `${textLine.slice(0, span.from)}[[#${newTitle.trim()}]]${textLine.slice(span.to)}`;
    }
    edits.push({ startLine: line, endLine: line + 1, lines: [textLine] });
  }
  return context.lines.apply(edits);
}

/** Moves a step before another one, or to the end when `beforeStepId` is null. */
export function moveStep(text: string, stepId: string, beforeStepId: string | null): EditResult {
  const context = load(text);
  const { lines, document } = context;
  const step = findStep(context, stepId);
  if (!step) return { ok: false, error: `There is no step with id ${stepId}.` };
  if (beforeStepId === stepId) return { ok: false, error: 'A step cannot move before itself.' };
  const before = beforeStepId === null ? null : findStep(context, beforeStepId);
  if (beforeStepId !== null && !before) return { ok: false, error: `There is no step with id ${beforeStepId}.` };
  const index = document.steps.indexOf(step);
  if ((before && document.steps.indexOf(before) === index + 1) || (!before && index === document.steps.length - 1)) {
    return lines.apply([]); // Already there.
  }
  const range = stepRange(context, step);
  let chunkEnd = range.end;
  while (chunkEnd > range.first + 1 && lines.isBlank(chunkEnd - 1)) chunkEnd -= 1;
  const chunk = lines.lines.slice(range.first - 1, chunkEnd - 1);
  const edits: LineEdit[] = [];
  let removeFirst = range.first;
  if (range.end > lines.count) while (removeFirst > 1 && lines.isBlank(removeFirst - 1)) removeFirst -= 1;
  edits.push({ startLine: removeFirst, endLine: range.end, lines: [] });
  if (before) {
    edits.push({ startLine: before.span.start.line, endLine: before.span.start.line, lines: [...chunk, ''] });
  } else {
    const at = lines.count + 1;
    edits.push({ startLine: at, endLine: at, lines: lines.isBlank(lines.count) ? chunk : ['', ...chunk] });
  }
  return lines.apply(edits);
}

function findCondition(context: Context, conditionId: string): Condition | undefined {
  const node = toGraph(context.document).nodes.find((candidate) => candidate.id === conditionId && candidate.kind === 'condition');
  if (!node) return undefined;
  for (const event of walkDocument(context.document)) {
    if (event.kind === 'condition' && event.condition.branches[0]?.headerSpan.start.offset === node.span.start.offset) return event.condition;
  }
  return undefined;
}

function findBranch(context: Context, branchId: string): { condition: Condition; branch: Branch } | undefined {
  const node = toGraph(context.document).nodes.find((candidate) => candidate.id === branchId && candidate.kind === 'branch');
  if (!node) return undefined;
  for (const event of walkDocument(context.document)) {
    if (event.kind !== 'condition') continue;
    const branch = event.condition.branches.find((candidate) => candidate.headerSpan.start.offset === node.span.start.offset);
    if (branch) return { condition: event.condition, branch };
  }
  return undefined;
}

function headerPrefix(context: Context, condition: Condition): string {
  const first = condition.branches[0]!;
  const line = context.lines.line(first.headerSpan.start.line);
  const column = first.headerSpan.start.column - 1;
  // Keep the line's own indentation and bullet marker, e.g. "  - ".
  return line.slice(0, column);
}

/**
 * Adds a branch to a condition: `Otherwise, if <test>:` when a test is given (placed before any
 * `Otherwise:`), or `Otherwise:` when the test is null.
 */
export function addBranch(text: string, conditionId: string, test: string | null, body: string[] = [DEFAULT_BRANCH_BODY]): EditResult {
  if (test !== null && (!test.trim() || /[\r\n]/.test(test))) return { ok: false, error: 'A branch test must be one line of text.' };
  if (body.length === 0) return { ok: false, error: 'A branch needs at least one thing to do.' };
  const context = load(text);
  const condition = findCondition(context, conditionId);
  if (!condition) return { ok: false, error: `There is no condition with id ${conditionId}.` };
  const otherwise = condition.branches.find((branch) => branch.kind === 'else');
  if (test === null && otherwise) return { ok: false, error: 'This condition already has an "Otherwise:" branch.' };
  const prefix = headerPrefix(context, condition);
  const bodyIndent = ' '.repeat(prefix.length - (condition.bullet ? 2 : 0) + 2);
  const header = test === null ? 'Otherwise:' : `Otherwise, if ${test.trim()}:`;
  const newLines = [prefix + header, ...body.map((item) => `${bodyIndent}- ${item}`)];
  if (test !== null && otherwise) {
    const at = otherwise.headerSpan.start.line;
    return context.lines.apply([{ startLine: at, endLine: at, lines: newLines }]);
  }
  const last = condition.branches[condition.branches.length - 1]!;
  const at = last.span.end.line + 1;
  return context.lines.apply([{ startLine: at, endLine: at, lines: newLines }]);
}

export function removeBranch(text: string, branchId: string): EditResult {
  const context = load(text);
  const found = findBranch(context, branchId);
  if (!found) return { ok: false, error: `There is no branch with id ${branchId}.` };
  const { condition, branch } = found;
  const { lines } = context;
  const removal = (target: Branch): LineEdit => {
    let first = target.headerSpan.start.line;
    if (target.blankBefore) first -= 1;
    return { startLine: first, endLine: target.span.end.line + 1, lines: [] };
  };
  if (condition.branches.length === 1) {
    return lines.apply([{ startLine: condition.span.start.line, endLine: condition.span.end.line + 1, lines: [] }]);
  }
  if (branch.kind !== 'if') return lines.apply([removal(branch)]);
  const next = condition.branches[1]!;
  if (next.kind === 'else') {
    return { ok: false, error: 'This is the only test of the condition: change its test, or delete the whole condition.' };
  }
  // The next branch takes the first one's place: "Otherwise, if X:" becomes "If X:".
  const nextLine = lines.line(next.headerSpan.start.line);
  const column = next.headerSpan.start.column - 1;
  const promoted = nextLine.slice(0, column) + 'If ' + nextLine.slice(column).replace(/^(?:otherwise,?\s+if|else,?\s+if|elif)\s+/i, '');
  const edits: LineEdit[] = [
    { startLine: branch.headerSpan.start.line, endLine: branch.span.end.line + 1, lines: [] },
    { startLine: next.headerSpan.start.line, endLine: next.headerSpan.start.line + 1, lines: [promoted] },
  ];
  if (next.blankBefore) edits[0]!.endLine = next.headerSpan.start.line;
  return lines.apply(edits);
}
