// Mock worlds: edit a starting world as JSON (checked as the store checks it: a JSON object), and
// see a mocked run's final world next to the one it started from, as a list of changes.
import { Save } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/api';
import { worldSchema } from '../../../shared/connectors/world';
import { useApi } from '../api/context';
import { Banner, Button, Field, Select, toast } from '../ui';
import { WorldChanges } from './WorldChanges';

type Worlds = CallOutput<'connectors.worlds'>;
type RunWorld = CallOutput<'connectors.runWorld'>;

export function WorldsPanel() {
  const api = useApi();
  const [worlds, setWorlds] = useState<Worlds>([]);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    api['connectors.worlds']({}).then((list) => {
      setWorlds(list);
      if (list[0]) setName(list[0].name);
    }, (problem: Error) => setStatus(problem.message));
  }, [api]);
  useEffect(() => {
    if (!name) return;
    api['connectors.world']({ name }).then((world) => {
      setDescription(world.description);
      setText(JSON.stringify(world.world, null, 2));
      setError(null);
    }, (problem: Error) => setStatus(problem.message));
  }, [api, name]);

  const check = (next: string): unknown => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(next);
    } catch (problem) {
      setError(`not valid JSON: ${(problem as Error).message}`);
      return undefined;
    }
    const checked = worldSchema.safeParse(parsed);
    setError(checked.success ? null : 'a world is a JSON object, like {"orders": []}');
    return checked.success ? parsed : undefined;
  };
  const save = async () => {
    const world = check(text);
    if (world === undefined) return;
    try {
      await api['connectors.saveWorld']({ name, description, world });
      toast({ title: `Saved the world "${name}"`, tone: 'success' });
    } catch (problem) {
      setStatus((problem as Error).message);
    }
  };

  return (
    <section className="connectors-form" aria-label="Mock worlds">
      <h2>Mock worlds</h2>
      {status && <Banner tone="error">{status}</Banner>}
      {worlds.length === 0 ? (
        <p className="connectors-muted">No mock world in this workspace.</p>
      ) : (
        <form
          className="connectors-form"
          aria-label="Edit world"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <div className="connectors-row">
            <Field label="World">
              <Select label="World" value={name} options={worlds.map((world) => ({ value: world.name, label: world.name }))} onValueChange={setName} />
            </Field>
            <Field label="Description">
              <input className="sw-input" value={description} onChange={(event) => setDescription(event.target.value)} />
            </Field>
          </div>
          <Field label="World (JSON)" help="What mocked runs start from: the systems' records, read and changed by the Python mock handlers." error={error}>
            <textarea className="sw-input sw-textarea connectors-mono connectors-world" spellCheck={false} rows={16} value={text} onChange={(event) => { setText(event.target.value); check(event.target.value); }} />
          </Field>
          <div className="connectors-buttons">
            <Button type="submit" variant="primary" icon={Save} disabled={error !== null}>
              Save world
            </Button>
          </div>
        </form>
      )}
      <RunWorldDiff />
    </section>
  );
}

function RunWorldDiff() {
  const api = useApi();
  const [runs, setRuns] = useState<CallOutput<'preview.list'>>([]);
  const [chosen, setChosen] = useState('');
  const [run, setRun] = useState<RunWorld | null>(null);
  useEffect(() => {
    api['preview.list']({ limit: 50 }).then(setRuns, () => setRuns([]));
  }, [api]);
  useEffect(() => {
    if (!chosen) return;
    api['connectors.runWorld']({ conversationId: Number(chosen) }).then(setRun, () => setRun(null));
  }, [api, chosen]);
  return (
    <section className="connectors-form" aria-label="A run's world">
      <h3>A run&apos;s final world</h3>
      {runs.length === 0 ? (
        <p className="connectors-muted">No preview has run yet: talk to a Procedure with mocked connectors, then compare its world here.</p>
      ) : (
        <Field label="Run">
          <Select label="Run" value={chosen} options={runs.map((entry) => ({ value: String(entry.conversationId), label: `#${entry.conversationId} ${entry.procedure ?? (entry.target?.kind === 'workspace' ? 'the workspace' : 'a preview')} (${entry.startedAt.slice(0, 16).replace('T', ' ')})` }))} onValueChange={setChosen} />
        </Field>
      )}
      {run && !run.final && <p className="connectors-muted">This run did not change its world.</p>}
      {run?.final && <WorldChanges start={run.initial ?? {}} final={run.final} startedFrom={run.startedFrom} unnamedStart="an empty world" />}
    </section>
  );
}
