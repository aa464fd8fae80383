// One run of a simulation: its verdict (as reviewed), each criterion with the judge's reasoning and
// a review (agree or overrule, with a note), each deterministic check, whose failure it is, the
// transcript beside the trace timeline (the preview's component), the world and the cost; "Replay"
// plays it again offline.
import { useEffect, useState } from 'react';
import { Check, Repeat, Sparkles, ThumbsDown, ThumbsUp, X } from 'lucide-react';
import type { AgreementView, CallOutput, RunCheck, RunResult } from '../../../shared/api';
import { useApi } from '../api/context';
import { TraceTimeline } from '../trace/TraceTimeline';
import { useTraceLabels } from '../trace/useTraceLabels';
import { DiffText } from './DiffText';
import { FinalWorldView } from './FinalWorldView';
import { shortHash } from './list-filter';
import { askText, Badge, Banner, Button, costText, IconButton, plural, showMessage, toast } from '../ui';
import { usageTotals } from '../trace/describe-event';

const PARTY = { agent: 'the agent', customer: 'the simulated customer', judge: 'the judge' } as const;

export function RunResultView({ runId, onClose, onAgreement }: { runId: number; onClose(): void; onAgreement(agreement: AgreementView): void }) {
  const api = useApi();
  const [result, setResult] = useState<RunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replaying, setReplaying] = useState(false);
  // The latest replay of this run, as stored: its final world is shown beside this run's.
  const [replayed, setReplayed] = useState<{ result: RunResult; identical: boolean; differences: string[] } | null>(null);
  const [improving, setImproving] = useState(false);
  const [proposal, setProposal] = useState<CallOutput<'simulations.improve'> | null>(null);
  useEffect(() => {
    setResult(null);
    setReplayed(null);
    api['simulations.result']({ runId }).then(setResult, (caught: Error) => setError(caught.message));
  }, [api, runId]);

  // The trace in the Procedure's own words: the version the run used (null: the draft).
  const labels = useTraceLabels(api, result?.trace ?? [], { main: result ? { name: result.procedure, version: result.version } : null, others: result?.version ? 'live' : 'draft' });

  if (error) return <Banner tone="error">{error}</Banner>;
  if (!result) return <p className="muted">Loading the run…</p>;

  const review = async (check: RunCheck, decision: 'agree' | 'overrule') => {
    const note = await askText(decision === 'agree' ? 'Agree with the judge' : 'Overrule the judge', `A note on "${check.name}" (optional)`, check.review?.note ?? '', { ok: decision === 'agree' ? 'Agree' : 'Overrule', multiline: true });
    if (note === null) return;
    try {
      const reviewed = await api['simulations.review']({ runId, criterion: check.name, decision, note: note.trim() });
      setResult(reviewed.result);
      onAgreement(reviewed.agreement);
    } catch (caught) {
      await showMessage('The review was not saved', (caught as Error).message);
    }
  };

  const replay = async () => {
    setReplaying(true);
    try {
      const replay = await api['simulations.replay']({ runId });
      toast({
        title: replay.identical ? 'Replayed exactly' : 'The replay differs',
        description: replay.identical ? `Run ${runId} played again offline and came out the same (${replay.status}).` : replay.differences.slice(0, 3).join(' · '),
        tone: replay.identical ? 'success' : 'error',
      });
      setReplayed({ result: await api['simulations.result']({ runId: replay.runId }), identical: replay.identical, differences: replay.differences });
    } catch (caught) {
      await showMessage('Not replayed', (caught as Error).message);
    } finally {
      setReplaying(false);
    }
  };

  // Improve with AI: the author model's revision of the draft, shown as a diff; applied only on Accept.
  const improve = async () => {
    const feedback = await askText('Improve with AI', 'What should change? (the failing checks and the transcript of this run go along)', '', { ok: 'Propose a change', multiline: true });
    if (!feedback?.trim()) return;
    setImproving(true);
    try {
      setProposal(await api['simulations.improve']({ procedure: result.procedure, feedback: feedback.trim(), runId }));
    } catch (caught) {
      await showMessage('No proposal', (caught as Error).message);
    } finally {
      setImproving(false);
    }
  };
  const acceptProposal = async () => {
    if (!proposal) return;
    try {
      await api['procedures.saveDraft']({ name: result.procedure, text: proposal.after, expectedHash: proposal.baseHash });
      setProposal(null);
      toast({ title: 'Draft updated', description: `The proposed change to "${result.procedure}" is saved as its draft.` });
    } catch (caught) {
      await showMessage('The proposal was not applied', (caught as Error).message);
    }
  };

  const criteria = result.checks.filter((check) => check.kind === 'criterion');
  const checks = result.checks.filter((check) => check.kind !== 'criterion');
  const verdict = result.cancelled ? 'Cancelled' : { passed: 'Passed', failed: 'Failed', error: 'Error', running: 'Running' }[result.reviewedStatus];
  return (
    <section className="sim-result" aria-label={`Run ${runId} of ${result.simulation}`}>
      <header className="sim-pane-header">
        <h2>
          {result.simulation} <span className="muted">· run {runId}{result.attempt > 1 ? `, try ${result.attempt}` : ''}</span>
        </h2>
        <span className={`sim-verdict sim-status-${result.cancelled ? 'cancelled' : result.reviewedStatus}`} data-testid="run-verdict">
          {verdict}
        </span>
        <span className="spacer" />
        <Button size="sm" variant="ghost" icon={Sparkles} onClick={() => void improve()} disabled={improving}>
          {improving ? 'Asking the author model…' : 'Improve with AI'}
        </Button>
        <Button size="sm" variant="secondary" icon={Repeat} onClick={() => void replay()} disabled={replaying}>
          {replaying ? 'Replaying…' : 'Replay'}
        </Button>
        <IconButton icon={X} label="Close the run" size="sm" variant="ghost" onClick={onClose} />
      </header>
      <p className="sim-facts">
        On {result.version !== null ? `live v${result.version}` : `draft ${shortHash(result.procedureHash)}`} · {new Date(result.startedAt).toLocaleString()} · {plural(result.turns, 'customer message')} · {runCost(result)}
        {result.world ? ` · world "${result.world}"` : ''}
        {result.replayOf ? ` · replay of run ${result.replayOf}` : ''}
      </p>
      {proposal && (
        <section className="sim-proposal" aria-label="Proposed change to the Procedure" data-testid="improvement">
          <div className="sim-pane-header">
            <strong>Proposed change</strong>
            <span className="muted">
              +{proposal.added} −{proposal.removed}
              {proposal.summary ? ` · ${proposal.summary}` : ''}
            </span>
            <span className="spacer" />
            <Button size="sm" variant="ghost" icon={X} onClick={() => setProposal(null)}>
              Reject
            </Button>
            <Button size="sm" variant="primary" icon={Check} onClick={() => void acceptProposal()} disabled={!proposal.valid}>
              Accept
            </Button>
          </div>
          {!proposal.valid && <Banner tone="error">It does not pass validate, so it cannot be applied: {proposal.problems.join('; ')}</Banner>}
          <DiffText patch={proposal.patch} label="Proposed diff" />
        </section>
      )}
      {result.reviewedStatus !== result.status && <Banner tone="info">The judge said {result.status}; after review it counts as {result.reviewedStatus}.</Banner>}
      {result.attribution && <Banner tone="warning" title="Whose failure">It is put down to {PARTY[result.attribution]}.{result.error ? ` ${result.error}` : ''}</Banner>}
      {!result.attribution && result.error && <Banner tone="error">{result.error}</Banner>}
      <h3 className="sim-subhead">Criteria</h3>
      {criteria.length === 0 && <p className="muted">No criteria: the judge had nothing to rule on.</p>}
      <ul className="sim-checks">
        {criteria.map((check) => (
          <li key={check.name} className="sim-check" data-testid="criterion">
            <CheckMark passed={check.effectivePassed} />
            <div className="sim-check-body">
              <strong>{check.name}</strong>
              <p>{check.reason}</p>
              {check.review && (
                <p className="sim-review" data-testid="review">
                  {check.review.decision === 'agree' ? 'You agreed' : 'You overruled the judge'}
                  {check.review.note ? `: ${check.review.note}` : '.'}
                </p>
              )}
            </div>
            <div className="sim-check-actions">
              <Button size="sm" variant="ghost" icon={ThumbsUp} onClick={() => void review(check, 'agree')} aria-label={`Agree with the judge on ${check.name}`}>
                Agree
              </Button>
              <Button size="sm" variant="ghost" icon={ThumbsDown} onClick={() => void review(check, 'overrule')} aria-label={`Overrule the judge on ${check.name}`}>
                Overrule
              </Button>
            </div>
          </li>
        ))}
      </ul>
      <h3 className="sim-subhead">Checks</h3>
      <ul className="sim-checks">
        {checks.map((check, index) => (
          <li key={`${check.kind}-${index}`} className="sim-check" data-testid="check">
            <CheckMark passed={check.effectivePassed} />
            <div className="sim-check-body">
              <strong>{check.name}</strong>
              <p>{check.reason}</p>
            </div>
            {!check.effectivePassed && check.party && <Badge tone="warning">{PARTY[check.party]}</Badge>}
          </li>
        ))}
      </ul>
      <h3 className="sim-subhead">Final world</h3>
      <FinalWorldView world={result.finalWorld} />
      {replayed && (
        <section className="sim-replay" aria-label={`Replay of run ${runId}`} data-testid="replay">
          <h3 className="sim-subhead">
            Replay <span className="muted">· run {replayed.result.runId}, {replayed.identical ? 'the same as this run' : `differs: ${replayed.differences.join('; ')}`}</span>
          </h3>
          <FinalWorldView world={replayed.result.finalWorld} label="The replay's final world" />
        </section>
      )}
      <h3 className="sim-subhead">Transcript and trace</h3>
      <div className="sim-conversation">
        <ol className="sim-transcript" aria-label="Transcript">
          {result.transcript.map((message, index) => (
            <li key={index} className={`sim-message sim-message-${message.role}`}>
              <span className="sim-message-role">{message.role}</span>
              <p>{message.text}</p>
            </li>
          ))}
        </ol>
        <div className="sim-trace">
          <TraceTimeline events={result.trace} labels={labels} label="Trace of the run" />
        </div>
      </div>
    </section>
  );
}

function CheckMark({ passed }: { passed: boolean }) {
  return passed ? <Check className="sim-mark sim-mark-pass" aria-label="passed" size={16} /> : <X className="sim-mark sim-mark-fail" aria-label="failed" size={16} />;
}

/** The run's cost; "price unknown" when its model calls had no price, never $0.0000. */
function runCost(result: Pick<RunResult, 'costUsd' | 'trace'>): string {
  const totals = usageTotals(result.trace);
  return costText(result.costUsd, totals.calls, totals.unpriced);
}
