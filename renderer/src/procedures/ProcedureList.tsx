// The list of Procedures with their status. Create, rename, duplicate and delete. One tab stop: the
// arrow keys (and Home/End) move through the rows, Enter opens one, F2 renames it.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Copy, MoreHorizontal, Pencil, Plus, Sparkles, Trash2 } from 'lucide-react';
import type { ProcedureSummary } from '../../../shared/api';
import { useApi } from '../api/context';
import { navigate } from '../app/navigation';
import { DraftProcedureDialog } from '../simulations/DraftProcedureDialog';
import { askConfirm, askText, Badge, Button, IconButton, Menu, showMessage, toast, type BadgeTone } from '../ui';

export function statusLabel(procedure: Pick<ProcedureSummary, 'status' | 'liveVersion'>): string {
  switch (procedure.status) {
    case 'draft':
      return 'Draft';
    case 'live':
      return `Live v${procedure.liveVersion}`;
    case 'changed':
      return `Live v${procedure.liveVersion} · edited`;
  }
}

export const STATUS_TONE: Record<ProcedureSummary['status'], BadgeTone> = { draft: 'draft', live: 'success', changed: 'warning' };

export function ProcedureList({ procedures, selected, error }: { procedures: ProcedureSummary[] | null; selected: string | null; error: string | null }) {
  const api = useApi();
  const listRef = useRef<HTMLUListElement>(null);
  // The row that holds the list's tab stop: the one last focused, else the open one, else the first.
  const [active, setActive] = useState<string | null>(null);
  // "Draft a Procedure with AI": the draft opens as a new Procedure only once accepted in the dialog.
  const [drafting, setDrafting] = useState(false);
  const names = procedures?.map((procedure) => procedure.name) ?? [];
  const tabStop = active !== null && names.includes(active) ? active : selected !== null && names.includes(selected) ? selected : (names[0] ?? null);
  useEffect(() => {
    if (selected !== null) setActive(selected);
  }, [selected]);

  const run = async (title: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (caught) {
      await showMessage(title, (caught as Error).message);
    }
  };

  const create = () =>
    run('Could not create the Procedure', async () => {
      const name = await askText('New Procedure', 'Name');
      if (!name?.trim()) return;
      const created = await api['procedures.create']({ name: name.trim() });
      await navigate({ screen: 'procedure', name: created.name });
    });

  const rename = (name: string) =>
    run('Could not rename the Procedure', async () => {
      const newName = await askText(`Rename "${name}"`, 'New name', name, { ok: 'Rename', message: 'References to it in other Procedures are renamed too.' });
      if (!newName?.trim() || newName.trim() === name) return;
      const renamed = await api['procedures.rename']({ name, newName: newName.trim() });
      if (selected === name) await navigate({ screen: 'procedure', name: renamed.name });
      toast({ title: 'Renamed', description: `"${name}" is now "${renamed.name}".` });
    });

  const duplicate = (name: string) =>
    run('Could not duplicate the Procedure', async () => {
      const copy = await api['procedures.duplicate']({ name });
      await navigate({ screen: 'procedure', name: copy.name });
    });

  const remove = (name: string) =>
    run('Could not delete the Procedure', async () => {
      if (!(await askConfirm(`Delete "${name}"?`, 'The Procedure and all its published versions are deleted. This cannot be undone.', 'Delete', true))) return;
      if (selected === name && !(await navigate({ screen: 'home' }))) return;
      await api['procedures.delete']({ name });
      toast({ title: 'Deleted', description: `"${name}" and its versions are gone.` });
    });

  const focusRow = (name: string) => {
    setActive(name);
    listRef.current?.querySelector<HTMLElement>(`li[data-procedure="${CSS.escape(name)}"] a`)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLAnchorElement>, name: string) => {
    const index = names.indexOf(name);
    const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: names.length - 1 }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      const next = names[Math.max(0, Math.min(names.length - 1, target))];
      if (next !== undefined) focusRow(next);
    } else if (event.key === 'F2') {
      event.preventDefault();
      void rename(name);
    }
  };

  return (
    <nav className="procedure-list" aria-label="Procedures">
      <div className="procedure-list-header">
        <h2 id="procedure-list-title">Procedures</h2>
        <span className="procedure-list-create">
          <Button icon={Sparkles} size="sm" variant="ghost" onClick={() => setDrafting(true)} title="Draft a Procedure with AI from an outline, articles and transcripts">
            Draft with AI
          </Button>
          <Button variant="secondary" size="sm" icon={Plus} onClick={create} aria-label="New">
            New
          </Button>
        </span>
      </div>
      <DraftProcedureDialog open={drafting} onOpenChange={setDrafting} />
      {error && <p className="error">{error}</p>}
      {procedures === null && !error && <p className="muted">Loading…</p>}
      <ul ref={listRef} aria-labelledby="procedure-list-title">
        {procedures?.map((procedure) => {
          const isSelected = procedure.name === selected;
          const isTabStop = procedure.name === tabStop;
          return (
            <li key={procedure.name} className={isSelected ? 'selected' : ''} data-procedure={procedure.name}>
              <a
                href={`#/procedures/${encodeURIComponent(procedure.name)}`}
                tabIndex={isTabStop ? 0 : -1}
                aria-current={isSelected ? 'page' : undefined}
                onFocus={() => setActive(procedure.name)}
                onKeyDown={(event) => onKeyDown(event, procedure.name)}
                onClick={(event) => {
                  event.preventDefault();
                  void navigate({ screen: 'procedure', name: procedure.name });
                }}
              >
                <span className="procedure-name" title={procedure.name}>
                  {procedure.name}
                </span>
                <span className="badges">
                  <Badge tone={STATUS_TONE[procedure.status]} className={`status-${procedure.status}`} dot>
                    {statusLabel(procedure)}
                  </Badge>
                  {procedure.subProcedure && (
                    <Badge tone="violet" className="sub">
                      Sub-procedure
                    </Badge>
                  )}
                </span>
              </a>
              <span className="row-actions">
                <Menu
                  label={`Actions for ${procedure.name}`}
                  trigger={<IconButton icon={MoreHorizontal} label={`Actions for ${procedure.name}`} size="sm" tabIndex={isTabStop ? 0 : -1} tooltip={false} />}
                  items={[
                    { label: 'Rename', icon: Pencil, shortcut: 'F2', onSelect: () => void rename(procedure.name) },
                    { label: 'Duplicate', icon: Copy, onSelect: () => void duplicate(procedure.name) },
                    { label: 'Delete', icon: Trash2, danger: true, separated: true, onSelect: () => void remove(procedure.name) },
                  ]}
                />
              </span>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
