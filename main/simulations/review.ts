// Human review of a run's verdicts. A reviewer agrees with a criterion's verdict or overrules it,
// with a note; what the run then counts as follows the reviewer. Overruling a failed verdict means
// the judge was wrong (that failure was the judge's); overruling a passed one makes it a failure of
// the agent the judge missed.
import { StoreError } from '../store/errors';
import type { StoredReview, ReviewDecision } from '../store/simulation-reviews';
import type { DetailedRun, StoredCheck } from '../store/simulations';
import type { Workspace } from '../store/workspace';
import type { Party } from './definition';

export interface ReviewedCheck extends StoredCheck {
  review: StoredReview | null;
  /** After the review. */
  effectivePassed: boolean;
  effectiveParty: Party | null;
  /** The judge's verdict was overruled. */
  judgeWrong: boolean;
}

export function reviewedChecks(checks: readonly StoredCheck[], reviews: Map<number, StoredReview>): ReviewedCheck[] {
  return checks.map((check) => {
    const review = reviews.get(check.id) ?? null;
    if (!review || review.decision === 'agree') return { ...check, review, effectivePassed: check.passed, effectiveParty: check.party, judgeWrong: false };
    return { ...check, review, effectivePassed: !check.passed, effectiveParty: check.passed ? 'agent' : null, judgeWrong: true };
  });
}

/** The run's status once its reviews are taken into account. */
export function reviewedStatus(run: DetailedRun, checks: readonly ReviewedCheck[]): DetailedRun['status'] {
  if (run.status === 'error' || run.status === 'running') return run.status;
  return checks.every((check) => check.effectivePassed) ? 'passed' : 'failed';
}

/** Reviews one criterion of a run by its name. */
export function reviewVerdict(workspace: Workspace, runId: number, criterion: string, decision: ReviewDecision, note = '', reviewer: string | null = null): ReviewedCheck[] {
  const run = workspace.simulations.requireRun(runId);
  const verdicts = run.checks.filter((check) => check.kind === 'criterion');
  const check = verdicts.find((candidate) => candidate.name === criterion);
  if (!check) {
    const known = verdicts.map((candidate) => `"${candidate.name}"`).join(', ');
    throw new StoreError(`Run ${runId} has no criterion "${criterion}"${known ? `; its criteria are ${known}` : ': it has no criteria for the judge'}.`, 'not-found');
  }
  workspace.simulations.reviews.review(check.id, { decision, note, reviewer });
  return reviewedChecks(workspace.simulations.requireRun(runId).checks, workspace.simulations.reviews.forRun(runId));
}
