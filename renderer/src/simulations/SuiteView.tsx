// A suite: while it runs, the progress bar (runs done of all) and the live pass/fail counts from the
// pushed events, with Cancel; once it ends, the comparison with the runs before (newly failing,
// newly passing, flaky), the Procedure diff between them one click away, and the coverage overlay
// on the graph of the text it ran on.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Sparkles, Square, X } from 'lucide-react';
import type { SuiteCounts, SuiteView as Suite } from '../../../shared/api';
import { parse, toGraph } from '../../../shared/procedure';
import { useApi } from '../api/context';
import { useCoverageOverlay } from '../graph/coverage-overlay';
import { GraphView } from '../graph/GraphView';
import { Badge, Banner, Button, formatCount, formatUsd, IconButton, plural, ProgressBar, showMessage, Tabs } from '../ui';
import { DiffText } from './DiffText';
import { Proposals, type Proposal } from './Proposals';

export interface LiveSuite {
  suiteId: number;
  counts: SuiteCounts;
  status: 'running' | 'finished' | 'cancelled' | 'error';
  error: string | null;
}

const CHANGE_WORDS = { newly_failing: 'Newly failing', newly_passing: 'Newly passing', still_passing: 'Still passing', still_failing: 'Still failing', new: 'First run' } as const;

export function SuiteView({ live, procedureText, onOpenRun, onClose, onSaved }: { live: LiveSuite; procedureText: string | null; onOpenRun(runId: number): void; onClose(): void; onSaved(): void }) {
  const api = useApi();
  const [suite, setSuite] = useState<Suite | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [showDiff, setShowDiff] = useState(false);
  useEffect(() => {
    if (live.status === 'running') return;
    api['simulations.suite']({ suiteId: live.suiteId }).then(setSuite, () => setSuite(null));
  }, [api, live.suiteId, live.status]);

  const { counts } = live;
  const running = live.status === 'running';
  const regressions = suite?.comparison.filter((entry) => entry.change === 'newly_failing') ?? [];
  return (
    <section className="sim-suite" aria-label={`Suite ${live.suiteId}`}>
      <header className="sim-pane-header">
        <h2>Suite {live.suiteId}</h2>
        <span className={`sim-verdict sim-status-${running ? 'running' : live.status === 'finished' ? (counts.failed + counts.errors === 0 ? 'passed' : 'failed') : live.status}`} data-testid="suite-status">
          {running ? 'Running' : live.status === 'finished' ? (counts.failed + counts.errors === 0 ? 'Passed' : 'Failed') : live.status === 'cancelled' ? 'Cancelled' : 'Error'}
        </span>
        <span className="spacer" />
        {running && (
          <Button
            size="sm"
            variant="danger"
            icon={Square}
            disabled={cancelling}
            onClick={() => {
              setCancelling(true);
              void api['simulations.cancel']({ suiteId: live.suiteId }).finally(() => setCancelling(false));
            }}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </Button>
        )}
        <IconButton icon={X} label="Close the suite" size="sm" variant="ghost" onClick={onClose} />
      </header>
      <div className="sim-progress" data-testid="suite-progress">
        <ProgressBar label={running ? 'Runs done' : 'Runs'} value={counts.done} max={counts.total} />
        <p className="sim-counts" role="status" aria-live="polite">
          <span className="sim-count-pass">{counts.passed} passed</span> · <span className="sim-count-fail">{counts.failed} failed</span> · <span>{plural(counts.errors, 'error')}</span>
          {live.status === 'cancelled' ? ` · cancelled with ${formatCount(counts.total - counts.done)} not run` : ''}
        </p>
      </div>
      {live.error && <Banner tone="error">{live.error}</Banner>}
      {suite && (
        <>
          <p className="sim-facts">
            {suite.live ? 'On the live versions' : 'On the drafts'} · k = {suite.k}
            {suite.passHatK !== null && suite.k > 1 ? ` · ${Math.round(suite.passHatK * 100)}% passed all ${plural(suite.k, 'try', 'tries')} (pass^${suite.k})` : ''} · cost {formatUsd(suite.costUsd)}
            {suite.estimatedUsd !== null ? ` (estimated ${formatUsd(suite.estimatedUsd)})` : ''}
          </p>
          {regressions.length > 0 && (
            <Banner tone="error" title="Regression">
              {regressions.length === 1 ? `"${regressions[0]!.name}" passed before and fails now.` : `${plural(regressions.length, 'simulation')} passed before and fail now.`}
            </Banner>
          )}
          <Tabs
            label="Suite"
            items={[
              {
                value: 'comparison',
                label: 'Compared with the previous run',
                content: (
                  <div>
                    <ul className="sim-comparison" aria-label="Comparison with the previous run">
                      {suite.comparison.map((entry) => (
                        <li key={entry.name} data-change={entry.change}>
                          <button type="button" className="sim-link" onClick={() => entry.runIds[0] && onOpenRun(entry.runIds[entry.runIds.length - 1]!)}>
                            {entry.name}
                          </button>
                          <Badge tone={entry.change === 'newly_failing' || entry.change === 'still_failing' ? 'warning' : entry.change === 'newly_passing' || entry.change === 'still_passing' ? 'success' : 'neutral'} className={`sim-change-${entry.change}`}>
                            {CHANGE_WORDS[entry.change]}
                          </Badge>
                          {entry.flaky && <Badge tone="violet">Flaky across its {plural(entry.runIds.length, 'try', 'tries')}</Badge>}
                        </li>
                      ))}
                    </ul>
                    {suite.procedureChanges.length > 0 && (
                      <Button size="sm" variant="ghost" onClick={() => setShowDiff((shown) => !shown)}>
                        {showDiff ? 'Hide' : 'Show'} what changed in the Procedure (+{suite.procedureChanges[0]!.added} −{suite.procedureChanges[0]!.removed})
                      </Button>
                    )}
                    {showDiff && suite.procedureChanges.map((change) => <DiffText key={change.procedure} patch={change.patch} />)}
                  </div>
                ),
              },
              {
                value: 'coverage',
                label: `Coverage${suite.coverage ? ` (${formatCount(suite.coverage.unreached.length)} not reached)` : ''}`,
                content: suite.coverage && procedureText ? <CoverageGraph text={procedureText} coverage={suite.coverage} procedure={suite.procedure} onSaved={onSaved} /> : <p className="muted">No coverage: no run of this suite finished.</p>,
              },
            ]}
          />
        </>
      )}
    </section>
  );
}

const noop = () => {};

function CoverageGraph({ text, coverage, procedure, onSaved }: { text: string; coverage: NonNullable<Suite['coverage']>; procedure: string; onSaved(): void }) {
  const api = useApi();
  const [proposals, setProposals] = useState<Proposal[] | null>(null);
  const [suggesting, setSuggesting] = useState(false);
  const analysis = useMemo(() => {
    const parsed = parse(text);
    return { graph: toGraph(parsed.document), document: parsed.document };
  }, [text]);
  const map = useMemo(() => new Map(coverage.nodes.map((node) => [node.id, node.visits])), [coverage]);
  const container = useRef<HTMLDivElement>(null);
  useCoverageOverlay(container, map);
  const unreached = coverage.nodes.filter((node) => node.visits === 0);
  const unreachedBranches = unreached.filter((node) => node.kind === 'branch').map((node) => node.id);
  const suggest = async () => {
    setSuggesting(true);
    try {
      setProposals((await api['simulations.suggest']({ procedure, branches: unreachedBranches })).proposals);
    } catch (caught) {
      await showMessage('No simulations suggested', (caught as Error).message);
    } finally {
      setSuggesting(false);
    }
  };
  return (
    <div className="sim-coverage">
      <p className="sim-facts" data-testid="coverage-summary">
        {formatCount(coverage.nodes.length - unreached.length)} of {plural(coverage.nodes.length, 'step and branch', 'steps and branches')} reached by {plural(coverage.runs, 'run')}.
        {unreached.length > 0 ? ` Not reached: ${unreached.map((node) => node.label).join(', ')}.` : ''}
      </p>
      {unreachedBranches.length > 0 && (
        <div>
          <Button size="sm" variant="secondary" icon={Sparkles} disabled={suggesting} onClick={() => void suggest()}>
            {suggesting ? 'Asking the author model…' : `Suggest simulations for the ${plural(unreachedBranches.length, 'uncovered branch', 'uncovered branches')}`}
          </Button>
        </div>
      )}
      {proposals && <Proposals procedure={procedure} proposals={proposals} onSaved={onSaved} />}
      <div className="sim-coverage-graph" ref={container} data-testid="coverage-graph">
        <GraphView graph={analysis.graph} document={analysis.document} cursorLine={0} diagnostics={[]} onReveal={noop} onAction={noop} loadSubgraph={async () => analysis.graph} onError={noop} />
      </div>
    </div>
  );
}
