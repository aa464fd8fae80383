// Rewriting the team names a Procedure's text hands off (`@handoff Claims team`) or escalates
// (`escalation:` in the front matter) to. Only the team names change: the rest of the author's
// text stays byte for byte as it was. Team names compare without case, as the store does.
import { parse } from '../../shared/procedure';
import { walkDocument } from '../../shared/procedure/walk';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The text with every handoff and escalation to `from` sent to `to` instead. */
export function renameTeamInText(text: string, from: string, to: string): string {
  const { document } = parse(text);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const event of walkDocument(document)) {
    if (event.kind !== 'ref' || event.ref.kind !== 'handoff' || !same(event.ref.team, from)) continue;
    const { span, team } = event.ref;
    const original = text.slice(span.start.offset, span.end.offset);
    // The team follows the `@handoff` word; its note (after a colon) may name it too and is left alone.
    const at = original.indexOf(team, original.indexOf('@handoff') + '@handoff'.length);
    if (at < 0) continue;
    edits.push({ start: span.start.offset + at, end: span.start.offset + at + team.length, text: to });
  }
  for (const entry of document.frontMatter?.header.escalation ?? []) {
    if (!same(entry.team, from)) continue;
    const original = text.slice(entry.span.start.offset, entry.span.end.offset);
    const quoted = /^["']/.test(original);
    const needsQuotes = !quoted && /^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|: /.test(to);
    const replacement = quoted ? original.replace(entry.team, to) : needsQuotes ? JSON.stringify(to) : original.replace(entry.team, to);
    edits.push({ start: entry.span.start.offset, end: entry.span.end.offset, text: replacement });
  }
  edits.sort((a, b) => b.start - a.start);
  let result = text;
  for (const edit of edits) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}
