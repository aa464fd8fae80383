// The simulations of one Procedure: the list (last result, when, on which version, pass^k, tags;
// filtered by tag and status; checkboxes to pick some), the run controls (selection, a tag or all;
// draft or live; k and concurrency; the estimate confirmed before it starts), and beside the list
// the editor, a run's result or the suite running now.
import { useCallback, useEffect, useState } from 'react';
import { ArrowLeft, Bug, FlaskConical, Play, Plus } from 'lucide-react';
import type { AgreementView, MutationReportView, SimulationList } from '../../../shared/api';
import { useApi } from '../api/context';
import { navigate } from '../app/navigation';
import { askConfirm, Badge, Banner, Button, EmptyState, formatCount, plural, Select, showMessage, toast, Toolbar, ToolbarButton, ToolbarSeparator } from '../ui';
import { EMPTY_DEFINITION, type Draft } from './definition-draft';
import { allTags, estimateUsdWords, estimateWords, filterSimulations, passWords, STATUS_FILTERS, statusWords, unpricedWords, versionWords, type StatusFilter } from './list-filter';
import { MutationView } from './MutationView';
import { RunResultView } from './RunResultView';
import { SimulationEditor } from './SimulationEditor';
import { SuiteView, type LiveSuite } from './SuiteView';
import './simulations.css';

type Pane = { kind: 'none' } | { kind: 'mutation'; report: MutationReportView | null } | { kind: 'edit'; name: string | null; definition: Draft } | { kind: 'result'; runId: number } | { kind: 'suite' };

const ALL = '*';

export function SimulationsScreen({ name }: { name: string }) {
  const api = useApi();
  const [list, setList] = useState<SimulationList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [procedureText, setProcedureText] = useState<string | null>(null);
  const [tag, setTag] = useState(ALL);
  const [status, setStatus] = useState<StatusFilter>('all');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [pane, setPane] = useState<Pane>({ kind: 'none' });
  const [repeat, setRepeat] = useState('1');
  const [concurrency, setConcurrency] = useState('4');
  const [target, setTarget] = useState<'draft' | 'live'>('draft');
  const [suite, setSuite] = useState<LiveSuite | null>(null);
  const [agreement, setAgreement] = useState<AgreementView | null>(null);

  const load = useCallback(() => {
    api['simulations.list']({ procedure: name }).then(
      (loaded) => {
        setList(loaded);
        setAgreement(loaded.agreement);
        setError(null);
      },
      (caught: Error) => setError(caught.message),
    );
    api['procedures.get']({ name }).then((detail) => setProcedureText(detail.draftText), () => {});
  }, [api, name]);
  useEffect(load, [load]);
  useEffect(() => api.on('procedures.changed', (change) => change.names.includes(name) && load()), [api, name, load]);

  // The running suite's progress and end, as the engine pushes them.
  useEffect(() => {
    const offProgress = api.on('simulations.progress', (event) => setSuite((current) => (current && current.suiteId === event.suiteId ? { ...current, counts: event.counts } : current)));
    const offFinished = api.on('simulations.finished', (event) => {
      setSuite((current) => (current && current.suiteId === event.suiteId ? { ...current, counts: event.counts, status: event.status, error: event.error } : current));
      if (event.procedure === name) load();
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [api, name, load]);

  const simulations = list?.simulations ?? [];
  const shown = filterSimulations(simulations, tag === ALL ? null : tag, status);
  const running = suite?.status === 'running';

  const run = async (names: string[], tags: string[], what: string) => {
    const selection = { procedure: name, names, tags };
    const options = { repeat: Number(repeat), concurrency: Number(concurrency), live: target === 'live' };
    try {
      const estimate = await api['simulations.estimate']({ selection, options });
      const go = await askConfirm(`Run ${what}`, `On the ${target === 'live' ? 'live version' : 'draft'}, ${options.repeat} ${options.repeat === 1 ? 'try' : 'tries'} each, ${options.concurrency} at a time. ${estimateWords(estimate)}`, 'Run');
      if (!go) return;
      const started = await api['simulations.run']({ selection, options });
      setSuite({ suiteId: started.suiteId, counts: { done: 0, total: started.total, passed: 0, failed: 0, errors: 0 }, status: 'running', error: null });
      setPane({ kind: 'suite' });
    } catch (caught) {
      await showMessage('Not run', (caught as Error).message);
    }
  };

  // Mutation testing: the mutants and their cost first, and only with consent the run itself.
  const checkStrength = async () => {
    const tags = tag === ALL ? [] : [tag];
    try {
      const plan = await api['simulations.planMutations']({ procedure: name, tags });
      const go = await askConfirm(
        'Check suite strength',
        `${plural(plan.mutants.length, 'mutant')} of the draft (${formatCount(plan.invalid.length)} more do not validate and are not run). The ${plural(plan.simulations, 'simulation')} run on the Procedure, then on each mutant: ${plural(plan.estimate.runs, 'run')}, about ${plural(Math.round(plan.estimate.tokens), 'token')}, ${estimateUsdWords(plan.estimate)}.${unpricedWords(plan.estimate)}`,
        'Run the mutants',
      );
      if (!go) return;
      setPane({ kind: 'mutation', report: null });
      const report = await api['simulations.runMutations']({ procedure: name, tags, concurrency: Number(concurrency) });
      setPane((current) => (current.kind === 'mutation' ? { kind: 'mutation', report } : current));
    } catch (caught) {
      setPane((current) => (current.kind === 'mutation' && current.report === null ? { kind: 'none' } : current));
      await showMessage('Suite strength not checked', (caught as Error).message);
    }
  };

  const openEditor = async (simulation: string | null) => {
    if (simulation === null) return setPane({ kind: 'edit', name: null, definition: EMPTY_DEFINITION });
    try {
      const detail = await api['simulations.get']({ procedure: name, name: simulation });
      setPane({ kind: 'edit', name: simulation, definition: detail.definition });
    } catch (caught) {
      await showMessage('Cannot open the simulation', (caught as Error).message);
    }
  };

  const save = (previous: string | null) => async (newName: string, definition: Draft) => {
    try {
      await api['simulations.save']({ procedure: name, name: newName, definition, ...(previous !== null ? { previousName: previous } : {}) });
      toast({ title: 'Simulation saved', description: `"${newName}" of "${name}".` });
      setPane({ kind: 'edit', name: newName, definition });
      load();
      return null;
    } catch (caught) {
      return (caught as Error).message;
    }
  };

  const remove = async (simulation: string) => {
    if (!(await askConfirm('Delete the simulation', `Delete "${simulation}"? Its past runs stay in the history.`, 'Delete', true))) return;
    try {
      await api['simulations.delete']({ procedure: name, name: simulation });
      setPane({ kind: 'none' });
      load();
    } catch (caught) {
      await showMessage('Not deleted', (caught as Error).message);
    }
  };

  const togglePick = (simulation: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(simulation)) next.delete(simulation);
      else next.add(simulation);
      return next;
    });

  const pickedShown = shown.filter((simulation) => picked.has(simulation.name)).map((simulation) => simulation.name);
  return (
    <section className="sims-screen" aria-label={`Simulations of ${name}`}>
      <div className="procedure-toolbar">
        <div className="procedure-title">
          <Button size="sm" variant="ghost" icon={ArrowLeft} onClick={() => void navigate({ screen: 'procedure', name })}>
            Procedure
          </Button>
          <h1 title={name}>Simulations · {name}</h1>
          {agreement && (
            <Badge tone="accent" className="sim-agreement">
              <span data-testid="agreement">{agreement.rate === null ? 'No reviews yet' : `Judge agreement ${Math.round(agreement.rate * 100)}% of ${agreement.reviewed}`}</span>
            </Badge>
          )}
        </div>
        <Toolbar label="Simulation actions" className="procedure-actions">
          <ToolbarButton icon={Plus} onClick={() => void openEditor(null)}>
            New simulation
          </ToolbarButton>
          <ToolbarButton icon={Bug} disabled={running || simulations.length === 0 || (pane.kind === 'mutation' && pane.report === null)} onClick={() => void checkStrength()}>
            Check suite strength
          </ToolbarButton>
          <ToolbarSeparator />
          <ToolbarButton icon={Play} variant="secondary" disabled={running || pickedShown.length === 0} onClick={() => void run(pickedShown, [], pickedShown.length === 1 ? `"${pickedShown[0]}"` : plural(pickedShown.length, 'simulation'))}>
            Run selected
          </ToolbarButton>
          <ToolbarButton icon={Play} variant="primary" disabled={running || simulations.length === 0} onClick={() => void (tag === ALL ? run([], [], `all ${plural(simulations.length, 'simulation')}`) : run([], [tag], `the simulations tagged "${tag}"`))}>
            {tag === ALL ? 'Run all' : `Run tag “${tag}”`}
          </ToolbarButton>
        </Toolbar>
      </div>
      {error && (
        <div className="procedure-banner">
          <Banner tone="error">{error}</Banner>
        </div>
      )}
      <div className="sims-body">
        <aside className="sims-list-pane" aria-label="Simulation list">
          <div className="sims-options">
            <Select label="Filter by tag" size="sm" value={tag} onValueChange={setTag} options={[{ value: ALL, label: 'Every tag' }, ...allTags(simulations).map((value) => ({ value, label: `#${value}` }))]} />
            <Select label="Filter by status" size="sm" value={status} onValueChange={(value) => setStatus(value as StatusFilter)} options={STATUS_FILTERS} />
          </div>
          <div className="sims-options">
            <Select label="Run on" size="sm" value={target} onValueChange={(value) => setTarget(value as 'draft' | 'live')} options={[{ value: 'draft', label: 'Draft' }, { value: 'live', label: `Live${list?.liveVersion ? ` v${list.liveVersion}` : ' (none)'}` }]} />
            <Select label="Tries each (k)" size="sm" value={repeat} onValueChange={setRepeat} options={['1', '2', '3', '5', '10'].map((value) => ({ value, label: `k = ${value}` }))} />
            <Select label="Runs at a time" size="sm" value={concurrency} onValueChange={setConcurrency} options={['1', '2', '4', '8', '10', '16'].map((value) => ({ value, label: `${value} at a time` }))} />
          </div>
          {list && simulations.length === 0 && (
            <EmptyState icon={FlaskConical} title="No simulations yet" action={<Button size="sm" variant="primary" icon={Plus} onClick={() => void openEditor(null)}>New simulation</Button>}>
              A simulation plays a made-up customer against this Procedure and checks what the agent did.
            </EmptyState>
          )}
          <ul className="sims-list" aria-label="Simulations">
            {shown.map((simulation) => {
              const last = simulation.lastRun;
              return (
                <li key={simulation.id} className="sims-item" data-testid="simulation-row" data-status={last ? (last.cancelled ? 'cancelled' : last.status) : 'never'}>
                  <input type="checkbox" aria-label={`Select ${simulation.name}`} checked={picked.has(simulation.name)} onChange={() => togglePick(simulation.name)} />
                  <div className="sims-item-main">
                    <button type="button" className="sim-link sims-item-name" onClick={() => void openEditor(simulation.name)}>
                      {simulation.name}
                    </button>
                    <span className="sims-item-meta">
                      {last ? (
                        <>
                          <button type="button" className={`sim-link sim-status sim-status-${last.cancelled ? 'cancelled' : last.status}`} onClick={() => setPane({ kind: 'result', runId: last.runId })} aria-label={`${statusWords(simulation)}: open run ${last.runId} of ${simulation.name}`}>
                            {statusWords(simulation)}
                          </button>
                          <span title={last.startedAt}>{new Date(last.startedAt).toLocaleString()}</span>
                          <span className={last.stale ? 'sim-stale' : undefined} title={last.stale ? 'Ran on a text other than the current draft' : undefined}>
                            {versionWords(simulation)}
                            {last.stale ? ' (stale)' : ''}
                          </span>
                          {last.tries > 1 && (
                            <span title="Tries of its last suite that passed">
                              {passWords(last.passes, last.tries)}
                            </span>
                          )}
                        </>
                      ) : (
                        <span>Never run</span>
                      )}
                    </span>
                    {simulation.tags.length > 0 && (
                      <span className="sims-item-tags">
                        {simulation.tags.map((value) => (
                          <Badge key={value}>#{value}</Badge>
                        ))}
                      </span>
                    )}
                  </div>
                  <Button size="sm" variant="ghost" icon={Play} disabled={running} onClick={() => void run([simulation.name], [], `"${simulation.name}"`)} aria-label={`Run ${simulation.name}`}>
                    Run
                  </Button>
                </li>
              );
            })}
          </ul>
          {list && simulations.length > 0 && shown.length === 0 && <p className="muted sims-none">No simulation matches these filters.</p>}
        </aside>
        <div className="sims-detail">
          {pane.kind === 'none' && !suite && <p className="muted sims-hint">Open a simulation to edit it, or a result to read it. Runs show their progress here.</p>}
          {pane.kind === 'none' && suite && <SuiteView key={suite.suiteId} live={suite} procedureText={procedureText} onOpenRun={(runId) => setPane({ kind: 'result', runId })} onClose={() => setSuite(null)} onSaved={load} />}
          {pane.kind === 'suite' && suite && <SuiteView key={suite.suiteId} live={suite} procedureText={procedureText} onOpenRun={(runId) => setPane({ kind: 'result', runId })} onClose={() => setPane({ kind: 'none' })} onSaved={load} />}
          {pane.kind === 'edit' && (
            <SimulationEditor
              key={pane.name ?? '(new)'}
              name={pane.name}
              initial={pane.definition}
              onSave={save(pane.name)}
              {...(pane.name !== null ? { onDelete: () => void remove(pane.name!) } : {})}
              onClose={() => setPane({ kind: 'none' })}
            />
          )}
          {pane.kind === 'mutation' && <MutationView procedure={name} report={pane.report} onClose={() => setPane({ kind: 'none' })} onSaved={load} />}
          {pane.kind === 'result' && <RunResultView runId={pane.runId} onClose={() => setPane(suite ? { kind: 'suite' } : { kind: 'none' })} onAgreement={setAgreement} />}
        </div>
      </div>
    </section>
  );
}
