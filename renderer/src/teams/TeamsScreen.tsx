// The teams screen: the teams a Procedure hands off to (`@handoff Claims team`) on the left, with
// the Procedures that name each; on the right the chosen team's description and handoff note
// template, rename (drafts follow) and delete (refused while a Procedure names it), or a new team.
import { Pencil, Plus, Trash2, Users } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import type { TeamView } from '../../../shared/api';
import { useApi } from '../api/context';
import { useLoaded } from '../api/useLoaded';
import { navigate } from '../app/navigation';
import { askConfirm, askText, Banner, Button, EmptyState, plural, showMessage, toast } from '../ui';
import { TeamForm } from './TeamForm';
import './teams.css';

type Selection = { kind: 'team'; name: string } | { kind: 'new' } | null;

export function TeamsScreen() {
  const api = useApi();
  const { value: teams, error, reload } = useLoaded(useCallback(() => api['teams.list']({}), [api]));
  const [selection, setSelection] = useState<Selection>(null);
  useEffect(() => {
    if (selection === null && teams && teams.length > 0) setSelection({ kind: 'team', name: teams[0]!.name });
  }, [teams, selection]);

  const chosen = selection?.kind === 'team' ? (teams?.find((team) => team.name.toLowerCase() === selection.name.toLowerCase()) ?? null) : null;

  async function rename(team: TeamView) {
    const newName = await askText(`Rename ${team.name}`, 'New name', team.name, { ok: 'Rename', message: 'Every draft that hands off to this team is updated to the new name.' });
    if (!newName || newName.trim() === team.name) return;
    try {
      const result = await api['teams.rename']({ name: team.name, newName });
      await reload();
      setSelection({ kind: 'team', name: result.team.name });
      const drafts = result.rewritten.length === 0 ? 'No draft named it.' : `Updated the draft${result.rewritten.length === 1 ? '' : 's'} of ${result.rewritten.join(', ')}.`;
      const live = result.liveStillNaming.length === 0 ? '' : ` The live version of ${result.liveStillNaming.join(', ')} still names "${team.name}" until published.`;
      toast({ title: `Renamed to ${result.team.name}`, description: drafts + live, tone: result.liveStillNaming.length > 0 ? 'info' : 'success' });
    } catch (problem) {
      await showMessage('Could not rename the team', (problem as Error).message);
    }
  }

  async function remove(team: TeamView) {
    if (!(await askConfirm(`Delete ${team.name}?`, 'Procedures can no longer hand off to it.', 'Delete', true))) return;
    try {
      await api['teams.delete']({ name: team.name });
      setSelection(null);
      await reload();
      toast({ title: `Deleted ${team.name}`, tone: 'success' });
    } catch (problem) {
      await showMessage('Could not delete the team', (problem as Error).message);
    }
  }

  return (
    <section className="teams" aria-label="Teams">
      <aside className="teams-side">
        <header className="teams-side-head">
          <h1>Teams</h1>
          <Button size="sm" icon={Plus} onClick={() => setSelection({ kind: 'new' })}>
            New team
          </Button>
        </header>
        <p className="teams-hint">The people a Procedure hands off to with <code>@handoff</code>.</p>
        {error && <Banner tone="error">{error}</Banner>}
        <nav aria-label="Team list">
          <ul className="teams-list">
            {(teams ?? []).map((team) => {
              const active = chosen?.name === team.name;
              return (
                <li key={team.name} data-team={team.name}>
                  <button type="button" className={`teams-item${active ? ' active' : ''}`} aria-current={active ? 'true' : undefined} onClick={() => setSelection({ kind: 'team', name: team.name })}>
                    <span className="teams-item-name">{team.name}</span>
                    <span className="teams-item-meta">{team.usedBy.length === 0 ? 'not used' : `used by ${plural(team.usedBy.length, 'Procedure')}`}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
      </aside>
      <div className="teams-main">
        {selection?.kind === 'new' && (
          <TeamForm
            key="new"
            team={null}
            onSaved={(team) => {
              void reload();
              setSelection({ kind: 'team', name: team.name });
              toast({ title: `Created ${team.name}`, tone: 'success' });
            }}
          />
        )}
        {chosen && (
          <div className="teams-detail">
            <header className="teams-detail-head">
              <h2>
                <Users size={18} strokeWidth={1.75} aria-hidden /> {chosen.name}
              </h2>
              <span className="spacer" />
              <Button size="sm" icon={Pencil} onClick={() => void rename(chosen)}>
                Rename
              </Button>
              <Button size="sm" variant="danger" icon={Trash2} onClick={() => void remove(chosen)}>
                Delete
              </Button>
            </header>
            <section aria-label="Used by" className="teams-users">
              <h3>Used by</h3>
              {chosen.usedBy.length === 0 ? (
                <p className="muted">No Procedure hands off to this team yet.</p>
              ) : (
                <ul>
                  {chosen.usedBy.map((name) => (
                    <li key={name}>
                      <a
                        href={`#/procedures/${encodeURIComponent(name)}`}
                        onClick={(event) => {
                          event.preventDefault();
                          void navigate({ screen: 'procedure', name });
                        }}
                      >
                        {name}
                      </a>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <TeamForm key={chosen.name} team={chosen} onSaved={() => void reload().then(() => toast({ title: `Saved ${chosen.name}`, tone: 'success' }))} />
          </div>
        )}
        {!chosen && selection?.kind !== 'new' && teams && teams.length === 0 && (
          <EmptyState icon={Users} title="No teams yet" action={<Button icon={Plus} variant="primary" onClick={() => setSelection({ kind: 'new' })}>New team</Button>}>
            Add the teams your Procedures hand off to.
          </EmptyState>
        )}
      </div>
    </section>
  );
}
