// Keys: this workspace's public key (copy or export it for others to trust) and the keys it trusts.
import { Copy, Download, KeyRound, Trash2 } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import type { BundleKeys } from '../../../shared/api';
import { useApi } from '../api/context';
import { askConfirm, Banner, Button, Field, showMessage, toast } from '../ui';
import { saveTextFile } from './download';
import { keyWords } from './key-words';

export function KeysPanel() {
  const api = useApi();
  const [keys, setKeys] = useState<BundleKeys | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pem, setPem] = useState('');
  const [label, setLabel] = useState('');
  const [pemError, setPemError] = useState<string | null>(null);
  const reload = useCallback(() => api['bundles.keys']({}).then((value) => (setKeys(value), setError(null)), (problem: Error) => setError(problem.message)), [api]);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function trust() {
    try {
      const { fingerprint } = await api['bundles.trustKey']({ publicKey: pem, label });
      setPem('');
      setLabel('');
      setPemError(null);
      await reload();
      toast({ title: 'Key trusted', description: fingerprint, tone: 'success' });
    } catch (problem) {
      setPemError((problem as Error).message);
    }
  }

  return (
    <div className="bundles-panel bundles-keys">
      {error && <Banner tone="error">{error}</Banner>}
      {keys && (
        <section className="bundles-group" aria-label="This workspace's key">
          <h2>
            <KeyRound size={16} strokeWidth={1.75} aria-hidden /> This workspace's key
          </h2>
          <p>
            Bundles exported here are signed with <code className="bundles-fingerprint">{keys.fingerprint}</code>. Give the public key to those who import them.
          </p>
          <pre className="bundles-code" aria-label="Public key">
            {keys.publicKey}
          </pre>
          <div className="bundles-buttons">
            <Button
              icon={Copy}
              onClick={() =>
                void navigator.clipboard.writeText(keys.publicKey).then(
                  () => toast({ title: 'Public key copied', tone: 'success' }),
                  () => void showMessage('Could not copy', 'The clipboard is not available here: export the key as a file instead.'),
                )
              }
            >
              Copy
            </Button>
            <Button icon={Download} onClick={() => saveTextFile('stepwise-public-key.pem', keys.publicKey, 'application/x-pem-file')}>
              Export as file
            </Button>
          </div>
        </section>
      )}
      <section className="bundles-group" aria-label="Trusted keys">
        <h2>Trusted keys</h2>
        <ul className="bundles-keylist">
          {(keys?.trusted ?? []).map((key) => (
            <li key={key.fingerprint} data-fingerprint={key.fingerprint}>
              <span className="bundles-key">
                <strong className="bundles-key-name">{keyWords(key).name}</strong> <code className="bundles-fingerprint">{key.fingerprint}</code>
                {keyWords(key).detail && <span className="muted"> · {keyWords(key).detail}</span>}
              </span>
              {!key.own && (
                <Button
                  size="sm"
                  variant="ghost"
                  icon={Trash2}
                  aria-label={`Stop trusting ${key.fingerprint}`}
                  onClick={async () => {
                    if (!(await askConfirm('Stop trusting this key?', `Bundles signed by ${key.fingerprint} will ask again before they are imported.`, 'Stop trusting', true))) return;
                    try {
                      await api['bundles.untrustKey']({ fingerprint: key.fingerprint });
                      await reload();
                    } catch (problem) {
                      await showMessage('Could not remove the key', (problem as Error).message);
                    }
                  }}
                >
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
        <form
          className="bundles-trust"
          aria-label="Trust a key"
          onSubmit={(event) => {
            event.preventDefault();
            void trust();
          }}
        >
          <Field label="Public key (PEM)" error={pemError}>
            <textarea className="sw-input sw-textarea" rows={4} value={pem} onChange={(event) => setPem(event.target.value)} placeholder="-----BEGIN PUBLIC KEY-----" />
          </Field>
          <Field label="Whose key" help="A name to recognise it by, like “Support team laptop”.">
            <input className="sw-input" value={label} onChange={(event) => setLabel(event.target.value)} />
          </Field>
          <div className="bundles-buttons">
            <Button type="submit" disabled={pem.trim() === ''}>
              Trust key
            </Button>
          </div>
        </form>
      </section>
    </div>
  );
}
