// A connector's secrets by name: set, replace or delete each value. A value goes to the engine's
// secret store and is never shown again (the engine never sends it back); the field empties on save.
import { KeyRound, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { ConnectorView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Badge, Button, EmptyState, Field, toast } from '../ui';

export function SecretsPanel({ view, onChanged }: { view: ConnectorView; onChanged: () => void }) {
  if (view.secrets.length === 0) {
    return (
      <EmptyState icon={KeyRound} title="No secrets">
        <p>This connector names no secret. Choose an authentication that uses one in its settings.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="connectors-secrets" aria-label="Secrets">
      {view.secrets.map((secret) => (
        <SecretRow key={secret.name} connector={view.name} name={secret.name} present={secret.present} onChanged={onChanged} />
      ))}
    </ul>
  );
}

function SecretRow({ connector, name, present, onChanged }: { connector: string; name: string; present: boolean; onChanged: () => void }) {
  const api = useApi();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setValue('');
      toast({ title: done, tone: 'success' });
      onChanged();
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="connectors-secret" data-secret={name}>
      <div className="connectors-secret-head">
        <code>{name}</code>
        {present ? <Badge tone="success">stored</Badge> : <Badge tone="warning">missing</Badge>}
      </div>
      <form
        className="connectors-secret-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (value === '') return setError('Type the value first.');
          void run(() => api['connectors.setSecret']({ connector, name, value }), `${present ? 'Replaced' : 'Saved'} the secret "${name}"`);
        }}
      >
        <Field label={present ? `New value for ${name}` : `Value for ${name}`} help="Kept in the secret store; it is never shown again." error={error}>
          <input className="sw-input" type="password" autoComplete="off" value={value} placeholder={present ? 'A value is stored; type a new one to replace it' : 'No value stored'} onChange={(event) => setValue(event.target.value)} />
        </Field>
        <div className="connectors-buttons">
          <Button type="submit" variant="primary" disabled={busy}>
            {present ? 'Replace' : 'Save'}
          </Button>
          {present && (
            <Button variant="danger" icon={Trash2} disabled={busy} onClick={() => void run(() => api['connectors.deleteSecret']({ name }), `Deleted the secret "${name}"`)}>
              Delete
            </Button>
          )}
        </div>
      </form>
    </li>
  );
}
