// validate(tree, context): what is wrong with a Procedure, each problem with its place and a fix.
import type { Diagnostic, InlineRef, ProcedureDocument, Severity, Span } from './ast';
import { toGraph, type ProcedureGraph } from './graph';
import { analyzePython, type PythonRefs } from './python-refs';
import { testText } from './print';
import { calledProcedures, walkDocument, type PythonSnippet, type WalkEvent } from './walk';

export interface PythonIssue {
  /** 1-based, relative to the snippet. */
  line: number;
  column: number;
  message: string;
}

export interface ValidationContext {
  /** Known connectors and their action names. Absent: connector actions are not checked (info only). */
  connectors?: Record<string, { actions: string[] }>;
  /**
   * Known Procedures by name, with the Procedures each one calls (for the recursion check).
   * Absent: `[[…]]` references are not checked.
   */
  procedures?: Record<string, { calls: string[] }>;
  /** Attributes available before any step runs (provided by the channel or the workspace). */
  attributes?: string[];
  /** Known human teams. Absent: any team name is accepted. */
  teams?: string[];
  /**
   * Python syntax-and-policy check, supplied by the sandbox. Synchronous on purpose: callers check
   * snippets ahead of time (see `pythonSnippets`) and answer from what they found.
   */
  python?: (snippet: PythonSnippet) => PythonIssue[] | undefined;
}

export function validate(document: ProcedureDocument, context: ValidationContext = {}, graph: ProcedureGraph = toGraph(document)): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Severity, code: string, message: string, span: Span) => diagnostics.push({ severity, code, message, span });
  // Walk once and scan each Python snippet once: every check below reads these.
  const events = walkDocument(document);
  const python = new Map<PythonSnippet, PythonRefs>();
  for (const event of events) if (event.kind === 'python') python.set(event.snippet, analyzePython(event.snippet.code, event.snippet.map));
  const facts: Facts = { document, context, events, python, declared: declaredAttributes(document, context) };
  checkHeader(document, report);
  checkEscalationTeams(document, context, report);
  checkReferences(facts, report);
  checkConditions(facts, report);
  checkFlow(document, graph, report);
  checkAttributeOrder(facts, report);
  checkRecursion(facts, report);
  checkPython(facts, report);
  return diagnostics.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

type Report = (severity: Severity, code: string, message: string, span: Span) => void;

interface Facts {
  document: ProcedureDocument;
  context: ValidationContext;
  events: WalkEvent[];
  python: Map<PythonSnippet, PythonRefs>;
  declared: Set<string>;
}

function checkHeader(document: ProcedureDocument, report: Report) {
  const start = { start: document.span.start, end: document.span.start };
  const header = document.frontMatter?.header;
  if (!header) {
    report('error', 'missing-front-matter', 'A Procedure starts with front matter between two --- lines, giving at least its name and trigger.', start);
    return;
  }
  if (!header.name) report('error', 'missing-name', 'Give the Procedure a name in the front matter, like `name: Refund request`.', header.span);
  if (!header.trigger && !header.subProcedure) {
    report(
      'error',
      'missing-trigger',
      'Say when this Procedure runs with `trigger:` in the front matter (or mark it `sub_procedure: true` if only other Procedures call it).',
      header.span,
    );
  }
  if (document.steps.length === 0) {
    report('warning', 'no-steps', 'This Procedure has no steps yet: add one with a heading like `## Find the order`.', header.span);
  }
}

function checkReferences({ document, context, events, python, declared }: Facts, report: Report) {
  const titles = new Map<string, number>();
  for (const step of document.steps) {
    const key = step.title.toLowerCase();
    titles.set(key, (titles.get(key) ?? 0) + 1);
    if (titles.get(key) === 2) {
      report('warning', 'duplicate-step', `Two steps are called "${step.title}": links to it are ambiguous. Give each step its own title.`, step.titleSpan);
    }
  }
  const called = new Set<string>();
  for (const event of events) if (event.kind === 'ref' && event.ref.kind === 'action') called.add(`${event.ref.connector}.${event.ref.action}`);

  for (const event of events) {
    if (event.kind === 'python') {
      const refs = python.get(event.snippet)!;
      for (const ref of [...refs.attributeReads, ...refs.attributeWrites]) {
        if (!declared.has(ref.name)) report('error', 'unknown-attribute', unknownAttributeMessage(ref.name, declared), ref.span);
      }
      for (const ref of refs.dataReads) {
        if (!called.has(ref.name)) {
          report('warning', 'unknown-data', `data["${ref.name}"] reads the result of @${ref.name}, which this Procedure never calls.`, ref.span);
        }
      }
      continue;
    }
    if (event.kind !== 'ref') continue;
    checkRef(event.ref, document, context, declared, titles, report);
  }
}

function checkRef(
  ref: InlineRef,
  document: ProcedureDocument,
  context: ValidationContext,
  declared: Set<string>,
  titles: Map<string, number>,
  report: Report,
) {
  switch (ref.kind) {
    case 'attribute': {
      const root = ref.name.split('.')[0]!;
      if (!declared.has(root)) report('error', 'unknown-attribute', unknownAttributeMessage(root, declared), ref.span);
      return;
    }
    case 'action': {
      const name = `${ref.connector}.${ref.action}`;
      if (!context.connectors) {
        report('info', 'unchecked-action', `@${name} is not checked: connectors are only known inside a workspace.`, ref.span);
        return;
      }
      const connector = context.connectors[ref.connector];
      if (!connector) {
        const known = Object.keys(context.connectors);
        report('error', 'unknown-connector', `There is no connector called "${ref.connector}".${suggest(ref.connector, known, 'Known connectors')}`, ref.span);
      } else if (!connector.actions.includes(ref.action)) {
        report('error', 'unknown-action', `Connector "${ref.connector}" has no action "${ref.action}".${suggest(ref.action, connector.actions, 'Its actions')}`, ref.span);
      }
      return;
    }
    case 'subprocedure':
    case 'switch': {
      if (!context.procedures) {
        report('info', 'unchecked-procedure', `[[${ref.name}]] is not checked: no other Procedures are known here.`, ref.span);
        return;
      }
      const known = Object.keys(context.procedures);
      if (!known.includes(ref.name)) {
        const caseInsensitive = known.find((name) => name.toLowerCase() === ref.name.toLowerCase());
        const hint = caseInsensitive ? ` Did you mean [[${caseInsensitive}]]? Names are matched exactly.` : suggest(ref.name, known, 'Known Procedures');
        report('error', 'unknown-procedure', `There is no Procedure called "${ref.name}".${hint}`, ref.span);
      } else if (ref.kind === 'switch' && ref.name === document.frontMatter?.header.name) {
        report('error', 'switch-to-self', 'A Procedure cannot switch to itself.', ref.span);
      }
      return;
    }
    case 'goto':
      if (!titles.has(ref.step.toLowerCase())) {
        const known = document.steps.map((step) => step.title);
        report('error', 'unknown-step', `There is no step called "${ref.step}" in this Procedure.${suggest(ref.step, known, 'Steps')}`, ref.span);
      }
      return;
    case 'handoff':
      if (context.teams && !context.teams.some((team) => team.toLowerCase() === ref.team.toLowerCase())) {
        report('warning', 'unknown-team', `There is no team called "${ref.team}".${suggest(ref.team, context.teams, 'Known teams')}`, ref.span);
      }
      return;
    case 'tag':
    case 'end':
      return;
  }
}

/** The front matter's escalation teams are checked like @handoff teams, where the teams are known. */
function checkEscalationTeams(document: ProcedureDocument, context: ValidationContext, report: Report) {
  const teams = context.teams;
  if (!teams) return;
  for (const entry of document.frontMatter?.header.escalation ?? []) {
    if (teams.some((team) => team.toLowerCase() === entry.team.toLowerCase())) continue;
    report('warning', 'unknown-team', `There is no team called "${entry.team}" to escalate to.${suggest(entry.team, teams, 'Known teams')}`, entry.span);
  }
}

function checkConditions({ events }: Facts, report: Report) {
  for (const event of events) {
    if (event.kind !== 'condition') continue;
    const seenTests = new Set<string>();
    let otherwiseSeen = false;
    for (const branch of event.condition.branches) {
      if (otherwiseSeen) {
        report('error', 'branch-after-otherwise', 'This branch comes after "Otherwise:", so it can never be taken. Move it above "Otherwise:".', branch.headerSpan);
      }
      if (branch.kind === 'else') {
        if (otherwiseSeen) report('error', 'duplicate-branch', 'This condition already has an "Otherwise:" branch.', branch.headerSpan);
        otherwiseSeen = true;
      } else if (branch.test && event.condition.branches.length > 1) {
        const key = testText(branch.test).replace(/\s+/g, ' ').trim().toLowerCase();
        if (seenTests.has(key)) report('error', 'duplicate-branch', 'This test repeats an earlier branch of the same condition, so this branch can never be taken.', branch.headerSpan);
        seenTests.add(key);
      }
      if (branch.body.length === 0) {
        report('error', 'empty-branch', 'This branch says nothing to do: add at least one item under it, like `  - Tell the customer …`.', branch.headerSpan);
      }
    }
  }
}

function checkFlow(document: ProcedureDocument, graph: ProcedureGraph, report: Report) {
  for (const stepId of graph.unreachableSteps) {
    const step = document.steps.find((candidate) => candidate.id === stepId)!;
    report(
      'warning',
      'unreachable-step',
      `Nothing reaches the step "${step.title}": the steps before it always end or hand off, and no step goes to it. Link to it with "Go to [[#${step.title}]]" or remove it.`,
      step.titleSpan,
    );
  }
  for (const span of graph.deadBlocks) {
    report('warning', 'dead-content', 'This comes after an unconditional handoff, end or move, so the agent never gets here.', span);
  }
}

function checkAttributeOrder({ document, context, events, python, declared }: Facts, report: Report) {
  const available = new Set(context.attributes ?? []);
  const warned = new Set<string>();
  const use = (name: string, span: Span) => {
    if (available.has(name) || warned.has(name) || !declared.has(name)) return;
    warned.add(name);
    report(
      'warning',
      'attribute-before-collected',
      `{${name}} is used here before any step collects or computes it. Collect it first ("collect {${name}}") or compute it in a code block.`,
      span,
    );
  };
  // Document order; the overview (no step) describes rather than uses, so it is skipped.
  for (const event of events) {
    if (event.step === null) continue;
    if (event.kind === 'ref' && event.ref.kind === 'attribute') {
      const root = event.ref.name.split('.')[0]!;
      if (event.ref.collects) available.add(root);
      else use(root, event.ref.span);
    } else if (event.kind === 'python') {
      const refs = python.get(event.snippet)!;
      for (const ref of refs.attributeReads) use(ref.name, ref.span);
      for (const ref of refs.attributeWrites) available.add(ref.name);
    }
  }
  for (const attribute of document.frontMatter?.header.attributes ?? []) {
    if (attribute.required && !available.has(attribute.name)) {
      report('warning', 'required-never-collected', `Attribute ${attribute.name} is required, but no step collects or computes it.`, attribute.span);
    }
  }
}

function checkRecursion({ document, context, events }: Facts, report: Report) {
  const self = document.frontMatter?.header.name;
  if (!self || !context.procedures) return;
  const ownCalls = calledProcedures(document);
  const callsOf = (name: string): string[] => (name === self ? ownCalls : (context.procedures?.[name]?.calls ?? []));
  const paths = new Map<string, string[] | null>();
  for (const event of events) {
    if (event.kind !== 'ref' || event.ref.kind !== 'subprocedure') continue;
    const callee = event.ref.name;
    if (!paths.has(callee)) paths.set(callee, findPath(callee, self, callsOf));
    const path = paths.get(callee);
    if (path) {
      const chain = [self, ...path].join(' → ');
      const message =
        path.length === 1 ? `This Procedure calls itself ([[${self}]]), so it would never finish.` : `[[${event.ref.name}]] leads back to this Procedure (${chain}), so it would never finish.`;
      report('error', 'recursive-procedure', message, event.ref.span);
    }
  }
}

/** Shortest call path from `start` to `goal`, both included, or null. */
function findPath(start: string, goal: string, callsOf: (name: string) => string[]): string[] | null {
  const previous = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (name === goal) {
      const path: string[] = [];
      for (let at: string | null = name; at !== null; at = previous.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const next of callsOf(name)) {
      if (!previous.has(next)) {
        previous.set(next, name);
        queue.push(next);
      }
    }
  }
  return null;
}

function checkPython({ context, events }: Facts, report: Report) {
  if (!context.python) return;
  for (const event of events) {
    if (event.kind !== 'python') continue;
    for (const issue of context.python(event.snippet) ?? []) {
      const at = event.snippet.map(Math.max(0, issue.line - 1), Math.max(0, issue.column - 1));
      report('error', 'python', issue.message, { start: at, end: at });
    }
  }
}

function declaredAttributes(document: ProcedureDocument, context: ValidationContext): Set<string> {
  return new Set([...(document.frontMatter?.header.attributes.map((attribute) => attribute.name) ?? []), ...(context.attributes ?? [])]);
}

function unknownAttributeMessage(name: string, declared: Set<string>): string {
  // A near miss of a declared name is most likely a typo, so that comes first; otherwise, declare it.
  const near = closest(name, [...declared]);
  const typo = near ? ` Did you mean {${near}}?` : '';
  return `Attribute {${name}} is not declared.${typo} ${near ? 'Or add' : 'Add'} it under \`attributes:\` in the front matter, with its type.`;
}

/** The candidate nearest to `word` (case-insensitive edit distance), if it is near enough to be a typo of it. */
function closest(word: string, candidates: string[]): string | undefined {
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(word.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ distance, candidate }) => distance <= Math.max(2, Math.floor(candidate.length / 3)))
    .sort((a, b) => a.distance - b.distance)[0]?.candidate;
}

function suggest(word: string, candidates: string[], label: string): string {
  if (candidates.length === 0) return '';
  const near = closest(word, candidates);
  if (near) return ` Did you mean "${near}"?`;
  const listed = candidates.slice(0, 8).join(', ');
  return ` ${label}: ${listed}${candidates.length > 8 ? ', …' : ''}.`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
