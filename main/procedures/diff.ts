// Differences between two versions of a Procedure (or a version and the draft), with jsdiff.
import { createTwoFilesPatch, structuredPatch, type StructuredPatchHunk } from 'diff';
import { StoreError } from '../store/errors';
import type { ProcedureRepository } from '../store/repositories';

/** A published version number, the draft, or whatever is live. */
export type VersionRef = number | 'draft' | 'live';

export interface ProcedureDiff {
  from: { label: string; text: string };
  to: { label: string; text: string };
  /** Unified diff, as `git diff` would print it. Empty when the texts are the same. */
  patch: string;
  hunks: StructuredPatchHunk[];
  added: number;
  removed: number;
}

export function diffVersions(procedures: ProcedureRepository, name: string, from: VersionRef, to: VersionRef): ProcedureDiff {
  const a = resolve(procedures, name, from);
  const b = resolve(procedures, name, to);
  const hunks = a.text === b.text ? [] : structuredPatch(a.label, b.label, a.text, b.text, '', '', { context: 3 }).hunks;
  let added = 0;
  let removed = 0;
  for (const hunk of hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
  }
  const patch = a.text === b.text ? '' : createTwoFilesPatch(a.label, b.label, a.text, b.text, '', '', { context: 3 });
  return { from: a, to: b, patch, hunks, added, removed };
}

function resolve(procedures: ProcedureRepository, name: string, ref: VersionRef): { label: string; text: string } {
  const record = procedures.require(name);
  if (ref === 'draft') return { label: `${name} (draft)`, text: record.draftText };
  const number = ref === 'live' ? record.live?.version : ref;
  if (number === undefined) throw new StoreError(`"${name}" has never been published, so it has no live version.`, 'not-found');
  return { label: `${name} (v${number})`, text: procedures.version(name, number).text };
}
