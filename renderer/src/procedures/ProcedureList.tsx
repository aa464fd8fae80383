// The list of Procedures with their status. Create, rename, duplicate and delete.
import type { ProcedureSummary } from '../../../shared/api';
import { useApi } from '../api/context';
import { navigate } from '../app/navigation';
import { askConfirm, askText, showMessage } from '../ui/dialogs';

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

export function ProcedureList({ procedures, selected, error }: { procedures: ProcedureSummary[] | null; selected: string | null; error: string | null }) {
  const api = useApi();

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
    });

  return (
    <nav className="procedure-list" aria-label="Procedures">
      <div className="procedure-list-header">
        <h2>Procedures</h2>
        <button type="button" className="primary" onClick={create}>
          New
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {procedures === null && !error && <p className="muted">Loading…</p>}
      <ul>
        {procedures?.map((procedure) => (
          <li key={procedure.name} className={procedure.name === selected ? 'selected' : ''} data-procedure={procedure.name}>
            <a
              href={`#/procedures/${encodeURIComponent(procedure.name)}`}
              onClick={(event) => {
                event.preventDefault();
                void navigate({ screen: 'procedure', name: procedure.name });
              }}
            >
              <span className="procedure-name">{procedure.name}</span>
              <span className="badges">
                {procedure.subProcedure && <span className="badge sub">Sub-procedure</span>}
                <span className={`badge status-${procedure.status}`}>{statusLabel(procedure)}</span>
              </span>
            </a>
            <span className="row-actions">
              <button type="button" title="Rename" aria-label={`Rename ${procedure.name}`} onClick={() => void rename(procedure.name)}>
                Rename
              </button>
              <button type="button" title="Duplicate" aria-label={`Duplicate ${procedure.name}`} onClick={() => void duplicate(procedure.name)}>
                Duplicate
              </button>
              <button type="button" title="Delete" aria-label={`Delete ${procedure.name}`} className="danger" onClick={() => void remove(procedure.name)}>
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
    </nav>
  );
}
