// "Check suite strength": the suite run on mutants of the Procedure (each a small break: a flipped
// comparison, swapped branches, a dropped handoff, end or connector call, a negated plain test).
// While it runs, the progress; then the score, each mutant killed (by which simulations) or
// survived, and for survivors "Suggest a simulation that would catch this".
import { useEffect, useState } from 'react';
import { Sparkles, X } from 'lucide-react';
import type { MutationReportView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Badge, Banner, Button, formatCount, formatUsd, IconButton, ProgressBar, showMessage } from '../ui';
import { Proposals, type Proposal } from './Proposals';

export function MutationView({ procedure, report, onClose, onSaved }: { procedure: string; report: MutationReportView | null; onClose(): void; onSaved(): void }) {
  const api = useApi();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [proposals, setProposals] = useState<{ mutant: string; list: Proposal[] } | null>(null);
  const [asking, setAsking] = useState<string | null>(null);
  useEffect(() => api.on('simulations.mutationProgress', (event) => event.procedure === procedure && setProgress({ done: event.done, total: event.total })), [api, procedure]);

  const suggest = async (mutant: string) => {
    setAsking(mutant);
    try {
      setProposals({ mutant, list: (await api['simulations.suggestForSurvivors']({ procedure, mutants: [mutant] })).proposals });
    } catch (caught) {
      await showMessage('No simulation suggested', (caught as Error).message);
    } finally {
      setAsking(null);
    }
  };

  return (
    <section className="sim-suite" aria-label="Suite strength">
      <header className="sim-pane-header">
        <h2>Suite strength</h2>
        {report && report.score !== null && (
          <span className={`sim-verdict sim-status-${report.survived === 0 ? 'passed' : 'failed'}`} data-testid="mutation-score">
            Mutation score {Math.round(report.score * 100)}%
          </span>
        )}
        <span className="spacer" />
        <IconButton icon={X} label="Close suite strength" size="sm" variant="ghost" onClick={onClose} />
      </header>
      {!report && <ProgressBar label="Suites run (the Procedure, then each mutant)" value={progress?.done ?? 0} max={progress?.total ?? 1} detail={progress ? `${progress.done} / ${progress.total}` : 'Starting…'} />}
      {report && (
        <>
          <p className="sim-facts">
            {formatCount(report.killed)} killed · {formatCount(report.survived)} survived · {formatCount(report.mutants.length - report.killed - report.survived)} undecided · {mutationCost(report.costUsd)} · {(report.wallMs / 1000).toFixed(1)} s, of which {(report.overheadMs / 1000).toFixed(1)} s outside the suites
          </p>
          {report.status === 'baseline_failed' && <Banner tone="error">The suite does not pass on the Procedure itself ({report.baseline.failed.join(', ')}): fix that first, since a mutant can only be told apart from a passing suite.</Banner>}
          <Banner tone="info">{report.replayNote}</Banner>
          <ul className="sim-checks" aria-label="Mutants">
            {report.mutants.map((mutant) => (
              <li key={mutant.id} className="sim-check" data-testid="mutant" data-status={mutant.status}>
                <Badge tone={mutant.status === 'killed' ? 'success' : mutant.status === 'survived' ? 'warning' : 'neutral'}>{mutant.status === 'killed' ? 'Killed' : mutant.status === 'survived' ? 'Survived' : mutant.status === 'error' ? 'Error' : 'Cancelled'}</Badge>
                <div className="sim-check-body">
                  <strong>
                    {mutant.description} <span className="muted">(line {mutant.line})</span>
                  </strong>
                  <p>
                    {mutant.status === 'killed' && `Caught by ${mutant.killedBy.join(', ')}.`}
                    {mutant.status === 'survived' && `No simulation noticed${mutant.place ? `: nothing really tests ${mutant.place}` : ''}.`}
                    {mutant.status === 'error' && mutant.errors.join(' ')}
                  </p>
                </div>
                {mutant.status === 'survived' && (
                  <Button size="sm" variant="ghost" icon={Sparkles} disabled={asking !== null} onClick={() => void suggest(mutant.id)} aria-label={`Suggest a simulation that would catch this: ${mutant.id}`}>
                    {asking === mutant.id ? 'Asking…' : 'Suggest a simulation that would catch this'}
                  </Button>
                )}
              </li>
            ))}
          </ul>
          {proposals && <Proposals key={proposals.mutant} procedure={procedure} proposals={proposals.list} onSaved={onSaved} />}
        </>
      )}
    </section>
  );
}

/** Mutant runs always call the models afresh (recordings are not reused), so a cost of exactly 0 means their models have no known price. */
function mutationCost(usd: number): string {
  return usd === 0 ? 'price unknown' : formatUsd(usd);
}
