// The teams screen's calls over the team service (main/services/teams.ts); drafts a rename
// rewrote are announced as `procedures.changed`, so open editors reload them.
import type { CallArgs, CallOutput } from '../../shared/api';
import { TeamService } from '../services/teams';
import type { Workspace } from '../store/workspace';
import type { EventHub } from './events';

export function teamHandlers(workspace: Workspace, hub: EventHub) {
  const service = new TeamService(workspace, { onDraftsChanged: (names) => hub.emit('procedures.changed', { names, reason: 'saved' }) });
  return {
    'teams.list': (): CallOutput<'teams.list'> => service.list(),
    'teams.create': (team: CallArgs<'teams.create'>): CallOutput<'teams.create'> => service.create(team),
    'teams.update': (team: CallArgs<'teams.update'>): CallOutput<'teams.update'> => service.update(team),
    'teams.rename': ({ name, newName }: CallArgs<'teams.rename'>): CallOutput<'teams.rename'> => service.rename(name, newName),
    'teams.delete': ({ name }: CallArgs<'teams.delete'>): CallOutput<'teams.delete'> => {
      service.delete(name);
      return { ok: true };
    },
  };
}
