// The Procedure calls of the API: each one a call to the Procedure service (main/services/), its
// result shaped as the contract says, and its changes sent to the UI as `procedures.changed`.
import type { CallArgs, CallOutput } from '../../shared/api';
import type { DraftSummaries } from '../procedures/draft-summaries';
import { ProcedureService, statusOf } from '../services/procedures';
import { procedureFacts } from '../procedures/text';
import type { ProcedureRecord } from '../store/procedures';
import type { Workspace } from '../store/workspace';
import type { EventHub } from './events';
import type { PythonChecker } from './language-service';

function detailOf(record: ProcedureRecord): CallOutput<'procedures.get'> {
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

/** Without a sandbox, a Procedure with Python cannot be published: its Python cannot be checked. */
const noSandbox: PythonChecker = () => Promise.reject(new Error('the Python sandbox is not running in this session'));

export function procedureHandlers(workspace: Workspace, hub: EventHub, python: PythonChecker | null, summaries?: DraftSummaries) {
  const service = new ProcedureService(workspace, {
    python: { check: python ?? noSandbox },
    onChange: (change) => hub.emit('procedures.changed', change),
    ...(summaries ? { summaries } : {}),
  });
  return {
    'procedures.list': (): CallOutput<'procedures.list'> => service.list(),
    'procedures.get': ({ name }: CallArgs<'procedures.get'>) => detailOf(service.get(name)),
    'procedures.create': ({ name, subProcedure }: CallArgs<'procedures.create'>) => detailOf(service.create(name, subProcedure)),
    'procedures.rename': ({ name, newName }: CallArgs<'procedures.rename'>) => detailOf(service.rename(name, newName)),
    'procedures.duplicate': ({ name }: CallArgs<'procedures.duplicate'>) => detailOf(service.duplicate(name)),
    'procedures.delete': ({ name }: CallArgs<'procedures.delete'>) => {
      service.delete(name);
      return { ok: true as const };
    },
    'procedures.saveDraft': ({ name, text, expectedHash }: CallArgs<'procedures.saveDraft'>) => detailOf(service.saveDraft(name, text, expectedHash)),
    'procedures.publish': async ({ name, note, expectedHash }: CallArgs<'procedures.publish'>) => {
      const { text: _text, ...summary } = await service.publish(name, { note, expectedHash });
      return summary;
    },
    'procedures.history': ({ name }: CallArgs<'procedures.history'>) => service.history(name),
    'procedures.version': ({ name, version }: CallArgs<'procedures.version'>) => service.version(name, version),
    'procedures.diff': ({ name, from, to }: CallArgs<'procedures.diff'>) => {
      const diff = service.diff(name, from, to);
      return { from: diff.from, to: diff.to, added: diff.added, removed: diff.removed };
    },
  };
}
