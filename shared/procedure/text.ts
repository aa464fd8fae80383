// Reading and rewriting the few things the store needs from a Procedure's text: its name, the
// Procedures it references, the connectors it uses. Rewrites touch only the spans concerned, so
// the rest of the author's text stays byte for byte as it was.
import { calledProcedures, namedActions, parse, type ProcedureDocument } from './index';
import { walkDocument } from './walk';

export interface ProcedureFacts {
  name: string | null;
  subProcedure: boolean;
  /** `[[…]]` sub-procedure calls. */
  calls: string[];
  /** `@switch [[…]]` targets. */
  switches: string[];
  /** `connector.action` names. */
  actions: string[];
  /** Team names it hands off (`@handoff`) or escalates (`escalation:`) to. */
  teams: string[];
  /** Syntax errors (not cross-reference problems). */
  errors: { line: number; column: number; message: string }[];
}

export function procedureFacts(text: string): ProcedureFacts {
  const { document, diagnostics } = parse(text);
  return {
    name: document.frontMatter?.header.name ?? null,
    subProcedure: document.frontMatter?.header.subProcedure ?? false,
    calls: calledProcedures(document),
    switches: switchTargets(document),
    actions: namedActions(document),
    teams: handoffTeams(document),
    errors: diagnostics
      .filter((diagnostic) => diagnostic.severity === 'error')
      .map((diagnostic) => ({ line: diagnostic.span.start.line, column: diagnostic.span.start.column, message: diagnostic.message })),
  };
}

/** Every Procedure this one depends on: the ones it calls and the ones it may switch to. */
export function referencedProcedures(facts: ProcedureFacts): string[] {
  return [...new Set([...facts.calls, ...facts.switches])];
}

function switchTargets(document: ProcedureDocument): string[] {
  const names = new Set<string>();
  for (const event of walkDocument(document)) if (event.kind === 'ref' && event.ref.kind === 'switch') names.add(event.ref.name);
  return [...names];
}

function handoffTeams(document: ProcedureDocument): string[] {
  const names = new Set<string>();
  for (const event of walkDocument(document)) if (event.kind === 'ref' && event.ref.kind === 'handoff') names.add(event.ref.team);
  for (const entry of document.frontMatter?.header.escalation ?? []) names.add(entry.team);
  return [...names];
}

export interface Renames {
  /** The Procedure's own new name. */
  self?: string;
  /** Old → new Procedure names, for `[[…]]` and `@switch [[…]]` references. */
  procedures?: ReadonlyMap<string, string>;
  /** Old → new connector names, for `@connector.action` references. */
  connectors?: ReadonlyMap<string, string>;
}

/** Applies renames to a Procedure's text, changing only the name and the references concerned. */
export function renameInText(text: string, renames: Renames): string {
  const { document } = parse(text);
  const edits: { start: number; end: number; text: string }[] = [];
  const nameSpan = document.frontMatter?.header.nameSpan;
  if (renames.self !== undefined && nameSpan) {
    const old = text.slice(nameSpan.start.offset, nameSpan.end.offset);
    edits.push({ start: nameSpan.start.offset, end: nameSpan.end.offset, text: yamlScalar(renames.self, old) });
  }
  for (const event of walkDocument(document)) {
    if (event.kind !== 'ref') continue;
    const { ref } = event;
    const original = text.slice(ref.span.start.offset, ref.span.end.offset);
    if ((ref.kind === 'subprocedure' || ref.kind === 'switch') && renames.procedures?.has(ref.name)) {
      const replaced = original.replace(`[[${ref.name}]]`, `[[${renames.procedures.get(ref.name)!}]]`);
      edits.push({ start: ref.span.start.offset, end: ref.span.end.offset, text: replaced });
    } else if (ref.kind === 'action' && renames.connectors?.has(ref.connector)) {
      const replaced = original.replace(`@${ref.connector}.`, `@${renames.connectors.get(ref.connector)!}.`);
      edits.push({ start: ref.span.start.offset, end: ref.span.end.offset, text: replaced });
    }
  }
  edits.sort((a, b) => b.start - a.start);
  let result = text;
  for (const edit of edits) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

function yamlScalar(value: string, old: string): string {
  const wasQuoted = /^["']/.test(old);
  const needsQuotes = wasQuoted || /^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|: |[\n\r]/.test(value) || value.endsWith(':');
  return needsQuotes ? JSON.stringify(value) : value;
}
