// The rules for Procedures, whoever asks (the app's API, the command line, the production server):
// create from a starter text, rename with the [[references]] to it, duplicate, delete (the store
// refuses while others call it), save a draft only over the text the writer saw, publish through
// the checks of main/procedures/publish.ts, and the history, rollback and diff of versions.
// Each change is announced once, to `onChange`, after it is committed.
import { stringify } from 'yaml';
import { diffVersions, type ProcedureDiff, type VersionRef } from '../procedures/diff';
import { DraftSummaries } from '../procedures/draft-summaries';
import { publishChecked, type PublishRequest } from '../procedures/publish';
import type { CodeSandbox } from '../sandbox/types';
import { renameInText } from '../procedures/text';
import type { ProcedureRecord, VersionRecord, VersionSummary } from '../store/procedures';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';
import { gatherPublishFacts, publishWarnings, type PublishWarning } from './publish-gate';

/** draft: never published; live: the draft is what is live; changed: live, with unpublished edits. */
export type ProcedureStatus = 'draft' | 'live' | 'changed';

export interface ProcedureChange {
  names: string[];
  reason: 'created' | 'saved' | 'renamed' | 'deleted' | 'published';
}

export interface ProcedureListing {
  name: string;
  status: ProcedureStatus;
  subProcedure: boolean;
  liveVersion: number | null;
  updatedAt: string;
}

export interface ProcedureServiceOptions {
  /** The sandbox's Python check, which every publish runs (main/procedures/publish.ts). */
  python: Pick<CodeSandbox, 'check'>;
  /** Told of every committed change (the app turns it into the `procedures.changed` event). */
  onChange?: (change: ProcedureChange) => void;
  /** Summaries of drafts by content hash, kept across calls. */
  summaries?: DraftSummaries;
}

export function statusOf(record: Pick<ProcedureRecord, 'draftHash' | 'live'>): ProcedureStatus {
  if (!record.live) return 'draft';
  return record.live.contentHash === record.draftHash ? 'live' : 'changed';
}

/** The text a new Procedure starts with. */
export function starterText(name: string, subProcedure: boolean): string {
  const header = subProcedure
    ? { name, sub_procedure: true, description: 'Say what this sub-procedure does for the Procedures that call it.' }
    : { name, trigger: 'Say when this Procedure runs, in the words a customer would use.' };
  return ['---', stringify(header, { lineWidth: 0 }).trimEnd(), '---', '', '## First step', 'Say what the agent should do first.', ''].join('\n');
}

/** The drafts of other Procedures rewritten so their [[references]] follow a rename; untouched ones are left out. */
export function referenceRewrites(others: readonly Pick<ProcedureRecord, 'name' | 'draftText'>[], from: string, to: string): { name: string; text: string }[] {
  const map = new Map([[from, to]]);
  const rewrites: { name: string; text: string }[] = [];
  for (const other of others) {
    const text = renameInText(other.draftText, { procedures: map });
    if (text !== other.draftText) rewrites.push({ name: other.name, text });
  }
  return rewrites;
}

/** Refuses a save over a draft that changed since the writer opened it. */
export function assertDraftUnchanged(name: string, currentHash: string, expectedHash: string | undefined): void {
  if (expectedHash !== undefined && currentHash !== expectedHash) {
    throw new ServiceError('conflict', `The draft of "${name}" was changed elsewhere since you opened it. Copy your text, reopen the Procedure and apply it again.`);
  }
}

export class ProcedureService {
  private readonly summaries: DraftSummaries;

  constructor(
    private readonly workspace: Workspace,
    private readonly options: ProcedureServiceOptions,
  ) {
    this.summaries = options.summaries ?? new DraftSummaries();
  }

  private get procedures() {
    return this.workspace.procedures;
  }

  list(): ProcedureListing[] {
    return this.procedures.list().map((record) => ({
      name: record.name,
      status: statusOf(record),
      // Unchanged drafts are not parsed again: their summary is remembered by content hash.
      subProcedure: this.summaries.get(record.draftHash, record.draftText).subProcedure,
      liveVersion: record.live?.version ?? null,
      updatedAt: record.updatedAt,
    }));
  }

  get(name: string): ProcedureRecord {
    return this.procedures.require(name);
  }

  create(name: string, subProcedure: boolean): ProcedureRecord {
    const record = this.procedures.create(starterText(name, subProcedure));
    this.changed([record.name], 'created');
    return record;
  }

  /** Renames a Procedure and, in the same transaction, every [[reference]] to it in the other drafts. */
  rename(name: string, newName: string): ProcedureRecord {
    if (name === newName) return this.procedures.require(name);
    let rewritten: string[] = [];
    const record = this.workspace.transaction(() => {
      const current = this.procedures.require(name);
      const renamed = this.procedures.saveDraft(name, renameInText(current.draftText, { self: newName }));
      if (renamed.name !== newName) throw new ServiceError('invalid', `"${name}" has no name line in its front matter to rename; add \`name: ${newName}\` to it.`);
      const rewrites = referenceRewrites(
        this.procedures.list().filter((other) => other.id !== renamed.id),
        name,
        newName,
      );
      for (const rewrite of rewrites) this.procedures.saveDraft(rewrite.name, rewrite.text);
      rewritten = rewrites.map((rewrite) => rewrite.name);
      return renamed;
    });
    this.changed([name, newName, ...rewritten], 'renamed');
    return record;
  }

  duplicate(name: string): ProcedureRecord {
    const record = this.procedures.duplicate(name);
    this.changed([record.name], 'created');
    return record;
  }

  /** Deletes a Procedure and its history; the store refuses while another Procedure calls it. */
  delete(name: string): void {
    this.procedures.delete(name);
    this.changed([name], 'deleted');
  }

  /** Saves a draft; with `expectedHash`, only over the draft the writer saw. A new name line renames it. */
  saveDraft(name: string, text: string, expectedHash?: string): ProcedureRecord {
    const record = this.workspace.transaction(() => {
      assertDraftUnchanged(name, this.procedures.require(name).draftHash, expectedHash);
      return this.procedures.saveDraft(name, text);
    });
    if (record.name === name) this.changed([name], 'saved');
    else this.changed([name, record.name], 'renamed');
    return record;
  }

  /** Publishes a draft after checking it against the workspace and its Python in the sandbox (main/procedures/publish.ts). */
  async publish(name: string, request: PublishRequest): Promise<VersionRecord> {
    const published = await publishChecked(this.workspace, name, request, this.options.python);
    this.changed([name], 'published');
    return published;
  }

  /**
   * What to warn about before publishing `text` (default: the current draft): no simulations,
   * failing or stale ones, the starter's placeholders (main/services/publish-gate.ts). Data for the
   * caller to show and ask about; publishing itself does not look at it.
   */
  publishWarnings(name: string, text?: string): { draftHash: string | null; warnings: PublishWarning[] } {
    // A file's text may publish a Procedure the workspace does not have yet: it has no simulations.
    const record = text === undefined ? this.procedures.require(name) : this.procedures.get(name);
    const checked = text ?? record!.draftText;
    const facts = record ? gatherPublishFacts(this.workspace, record.name, checked) : { name, text: checked, simulations: [] };
    return { draftHash: record?.draftHash ?? null, warnings: publishWarnings(facts) };
  }

  /** Publishes the text of an earlier version again, as a new version; the draft is left alone. */
  rollback(name: string, version: number, options: { note?: string; author?: string } = {}): VersionRecord {
    const published = this.procedures.rollback(name, version, options);
    this.changed([name], 'published');
    return published;
  }

  history(name: string): VersionSummary[] {
    return this.procedures.history(name);
  }

  version(name: string, version: number): VersionRecord {
    return this.procedures.version(name, version);
  }

  diff(name: string, from: VersionRef, to: VersionRef): ProcedureDiff {
    return diffVersions(this.procedures, name, from, to);
  }

  private changed(names: string[], reason: ProcedureChange['reason']): void {
    this.options.onChange?.({ names, reason });
  }
}
