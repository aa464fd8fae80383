// The Procedure calls of the API, over the workspace store.
import { stringify } from 'yaml';
import type { CallArgs, CallOutput, ProcedureStatus } from '../../shared/api';
import { diffVersions } from '../procedures/diff';
import { DraftSummaries } from '../procedures/draft-summaries';
import { publishProcedure } from '../procedures/publish';
import { procedureFacts, renameInText } from '../procedures/text';
import type { ProcedureRecord } from '../store/procedures';
import type { Workspace } from '../store/workspace';
import type { EventHub } from './events';
import { ServiceError } from './errors';

export function statusOf(record: ProcedureRecord): ProcedureStatus {
  if (!record.live) return 'draft';
  return record.live.contentHash === record.draftHash ? 'live' : 'changed';
}

export function detailOf(record: ProcedureRecord): CallOutput<'procedures.get'> {
  return {
    name: record.name,
    status: statusOf(record),
    subProcedure: procedureFacts(record.draftText).subProcedure,
    draftText: record.draftText,
    draftHash: record.draftHash,
    live: record.live,
    updatedAt: record.updatedAt,
  };
}

/** The text a new Procedure starts with. */
export function starterText(name: string, subProcedure: boolean): string {
  const header = subProcedure
    ? { name, sub_procedure: true, description: 'Say what this sub-procedure does for the Procedures that call it.' }
    : { name, trigger: 'Say when this Procedure runs, in the words a customer would use.' };
  return ['---', stringify(header, { lineWidth: 0 }).trimEnd(), '---', '', '## First step', 'Say what the agent should do first.', ''].join('\n');
}

export function procedureHandlers(workspace: Workspace, hub: EventHub, summaries = new DraftSummaries()) {
  const procedures = workspace.procedures;
  return {
    'procedures.list': (): CallOutput<'procedures.list'> =>
      procedures.list().map((record) => ({
        name: record.name,
        status: statusOf(record),
        // Unchanged drafts are not parsed again: their summary is remembered by content hash.
        subProcedure: summaries.get(record.draftHash, record.draftText).subProcedure,
        liveVersion: record.live?.version ?? null,
        updatedAt: record.updatedAt,
      })),

    'procedures.get': ({ name }: CallArgs<'procedures.get'>) => detailOf(procedures.require(name)),

    'procedures.create': ({ name, subProcedure }: CallArgs<'procedures.create'>) => {
      const record = procedures.create(starterText(name, subProcedure));
      hub.emit('procedures.changed', { names: [record.name], reason: 'created' });
      return detailOf(record);
    },

    'procedures.rename': ({ name, newName }: CallArgs<'procedures.rename'>) => {
      if (name === newName) return detailOf(procedures.require(name));
      const changed: string[] = [];
      const record = workspace.transaction(() => {
        const current = procedures.require(name);
        const renamed = procedures.saveDraft(name, renameInText(current.draftText, { self: newName }));
        if (renamed.name !== newName) throw new ServiceError('invalid', `"${name}" has no name line in its front matter to rename; add \`name: ${newName}\` to it.`);
        const map = new Map([[name, newName]]);
        for (const other of procedures.list()) {
          if (other.id === renamed.id) continue;
          const text = renameInText(other.draftText, { procedures: map });
          if (text !== other.draftText) {
            procedures.saveDraft(other.name, text);
            changed.push(other.name);
          }
        }
        return renamed;
      });
      hub.emit('procedures.changed', { names: [name, newName, ...changed], reason: 'renamed' });
      return detailOf(record);
    },

    'procedures.duplicate': ({ name }: CallArgs<'procedures.duplicate'>) => {
      const record = procedures.duplicate(name);
      hub.emit('procedures.changed', { names: [record.name], reason: 'created' });
      return detailOf(record);
    },

    'procedures.delete': ({ name }: CallArgs<'procedures.delete'>) => {
      procedures.delete(name);
      hub.emit('procedures.changed', { names: [name], reason: 'deleted' });
      return { ok: true as const };
    },

    'procedures.saveDraft': ({ name, text, expectedHash }: CallArgs<'procedures.saveDraft'>) => {
      const record = workspace.transaction(() => {
        const current = procedures.require(name);
        if (expectedHash !== undefined && current.draftHash !== expectedHash) {
          throw new ServiceError('conflict', `The draft of "${name}" was changed elsewhere since you opened it. Copy your text, reopen the Procedure and apply it again.`);
        }
        return procedures.saveDraft(name, text);
      });
      hub.emit('procedures.changed', { names: record.name === name ? [name] : [name, record.name], reason: record.name === name ? 'saved' : 'renamed' });
      return detailOf(record);
    },

    'procedures.publish': ({ name, note, expectedHash }: CallArgs<'procedures.publish'>) => {
      const { text: _text, ...summary } = publishProcedure(workspace, name, { note, expectedHash });
      hub.emit('procedures.changed', { names: [name], reason: 'published' });
      return summary;
    },

    'procedures.history': ({ name }: CallArgs<'procedures.history'>) => procedures.history(name),

    'procedures.version': ({ name, version }: CallArgs<'procedures.version'>) => procedures.version(name, version),

    'procedures.diff': ({ name, from, to }: CallArgs<'procedures.diff'>) => {
      const diff = diffVersions(procedures, name, from, to);
      return { from: diff.from, to: diff.to, added: diff.added, removed: diff.removed };
    },
  };
}
