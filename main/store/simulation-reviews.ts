// Human reviews of the judge's verdicts: agree with a criterion's verdict or overrule it, with a
// note. The workspace's judge–human agreement rate is the share of reviews that agree.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from './errors';
import { now } from './hash';

export const reviewDecisionSchema = z.enum(['agree', 'overrule']);
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

const reviewSchema = z.strictObject({
  decision: reviewDecisionSchema,
  note: z.string().trim().max(4000).default(''),
  reviewer: z.string().trim().min(1).max(200).nullable().default(null),
});

export interface StoredReview {
  resultId: number;
  decision: ReviewDecision;
  note: string;
  reviewer: string | null;
  createdAt: string;
}

export interface Agreement {
  reviewed: number;
  agreed: number;
  overruled: number;
  /** agreed ÷ reviewed, or null before any review. */
  rate: number | null;
}

export class SqliteSimulationReviewRepository {
  constructor(private readonly db: Database.Database) {}

  /** Records (or replaces) the review of one judged criterion of a run. */
  review(resultId: number, input: z.input<typeof reviewSchema>): StoredReview {
    const parsed = reviewSchema.safeParse(input);
    if (!parsed.success) throw new StoreError(`The review is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const result = this.db.prepare('SELECT kind FROM simulation_results WHERE id = ?').get(resultId) as { kind: string } | undefined;
    if (!result) throw new StoreError(`There is no simulation result ${resultId}.`, 'not-found');
    if (result.kind !== 'criterion') {
      throw new StoreError(`Result ${resultId} is a deterministic check (${result.kind}), not a judge's verdict: only verdicts are reviewed.`, 'invalid');
    }
    const at = now();
    this.db
      .prepare(
        `INSERT INTO simulation_reviews (result_id, decision, note, reviewer, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (result_id) DO UPDATE SET decision = excluded.decision, note = excluded.note, reviewer = excluded.reviewer, created_at = excluded.created_at`,
      )
      .run(resultId, parsed.data.decision, parsed.data.note, parsed.data.reviewer, at);
    return { resultId, ...parsed.data, createdAt: at };
  }

  /** Reviews of the results of a run, by result id. */
  forRun(runId: number): Map<number, StoredReview> {
    const rows = this.db
      .prepare('SELECT r.result_id, r.decision, r.note, r.reviewer, r.created_at FROM simulation_reviews r JOIN simulation_results s ON s.id = r.result_id WHERE s.run_id = ?')
      .all(runId) as { result_id: number; decision: string; note: string; reviewer: string | null; created_at: string }[];
    return new Map(
      rows.map((row) => [row.result_id, { resultId: row.result_id, decision: reviewDecisionSchema.parse(row.decision), note: row.note, reviewer: row.reviewer, createdAt: row.created_at }]),
    );
  }

  /** How often humans agreed with the judge on the runs of these simulations (one Procedure's), replays left out. */
  agreementFor(simulationIds: readonly number[]): Agreement {
    const row = this.db
      .prepare(
        `SELECT count(*) AS reviewed, coalesce(sum(r.decision = 'agree'), 0) AS agreed
         FROM simulation_reviews r JOIN simulation_results s ON s.id = r.result_id JOIN simulation_runs u ON u.id = s.run_id
         WHERE u.replay_of IS NULL AND u.simulation_id IN (SELECT value FROM json_each(?))`,
      )
      .get(JSON.stringify(simulationIds)) as { reviewed: number; agreed: number };
    return { reviewed: row.reviewed, agreed: row.agreed, overruled: row.reviewed - row.agreed, rate: row.reviewed === 0 ? null : row.agreed / row.reviewed };
  }

  /** How often humans agreed with the judge in this workspace. */
  agreement(): Agreement {
    const row = this.db.prepare("SELECT count(*) AS reviewed, coalesce(sum(decision = 'agree'), 0) AS agreed FROM simulation_reviews").get() as { reviewed: number; agreed: number };
    return { reviewed: row.reviewed, agreed: row.agreed, overruled: row.reviewed - row.agreed, rate: row.reviewed === 0 ? null : row.agreed / row.reviewed };
  }
}
