// A team's fields: name (new teams only; rename is its own act, since drafts follow it), description
// and handoff note template. Errors from the contract's zod schema show next to the field at fault.
import { Save } from 'lucide-react';
import { useState } from 'react';
import { teamCallSpecs, type TeamView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Banner, Button, errorsByField, Field } from '../ui';

type Errors = Partial<Record<'name' | 'description' | 'noteTemplate', string>>;

export function TeamForm({ team, onSaved }: { team: TeamView | null; onSaved: (team: TeamView) => void }) {
  const api = useApi();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const [noteTemplate, setNoteTemplate] = useState(team?.noteTemplate ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const dirty = !team || description !== team.description || noteTemplate !== team.noteTemplate;

  async function save() {
    const input = { name: team?.name ?? name, description, noteTemplate };
    const checked = teamCallSpecs['teams.create'].input.safeParse(input);
    if (!checked.success) {
      setErrors(errorsByField<keyof Errors>(checked.error));
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const saved = team ? await api['teams.update'](checked.data) : await api['teams.create'](checked.data);
      setFailure(null);
      onSaved(saved);
    } catch (problem) {
      setFailure((problem as Error).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form
      className="teams-form"
      aria-label={team ? `Edit ${team.name}` : 'New team'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      {!team && <h2>New team</h2>}
      {!team && (
        <Field label="Name" help="As Procedures write it after @handoff, like “Claims team”." error={errors.name ?? null}>
          <input className="sw-input" value={name} onChange={(event) => setName(event.target.value)} autoFocus />
        </Field>
      )}
      <Field label="Description" help="What the team handles; authors read it when choosing where to hand off." error={errors.description ?? null}>
        <textarea className="sw-input sw-textarea" rows={3} value={description} onChange={(event) => setDescription(event.target.value)} />
      </Field>
      <Field label="Handoff note template" help="What the agent's note to this team should say, like “Order {order_number}: what the customer wants, what was tried”." error={errors.noteTemplate ?? null}>
        <textarea className="sw-input sw-textarea teams-mono" rows={5} value={noteTemplate} onChange={(event) => setNoteTemplate(event.target.value)} />
      </Field>
      {failure && <Banner tone="error">{failure}</Banner>}
      <div className="teams-buttons">
        <Button type="submit" variant="primary" icon={Save} disabled={saving || !dirty}>
          {team ? 'Save' : 'Create team'}
        </Button>
      </div>
    </form>
  );
}
