// The simulations screen's calls and events: a Procedure's simulations with their last results,
// saving one (checked with the very schema the engine runs them with), the cost estimate, a suite
// run in the background with its progress pushed as events and a cancel, a run's result with its
// transcript and trace, replay, review, and the suite's comparison and coverage.
import { z } from 'zod';
import { PreviewTraceEventSchema } from './preview';
import { ProcedureNameSchema } from './schemas';

// shared/api imports no other folder: the run's vocabulary is repeated here, and a definition crosses
// as an object the engine checks with shared/simulations/definition.ts (as the editor does).
const runStatusSchema = z.enum(['running', 'passed', 'failed', 'error']);
const partySchema = z.enum(['agent', 'customer', 'judge']);
const checkKindSchema = z.string();

const SimulationNameSchema = z.string().trim().min(1, 'A simulation needs a name.').max(200);
const TagSchema = z.string().trim().min(1).max(64);

/** Which simulations a run or an estimate takes: a Procedure's (all, some by name, or those with a tag). */
export const SimulationSelectionSchema = z.strictObject({
  procedure: ProcedureNameSchema,
  /** Only these (none: every simulation of the Procedure, or of the tags). */
  names: z.array(SimulationNameSchema).max(1000).default([]),
  /** Only those with at least one of these tags. */
  tags: z.array(TagSchema).max(50).default([]),
});
export type SimulationSelection = z.input<typeof SimulationSelectionSchema>;

export const RunOptionsSchema = z.strictObject({
  /** k: tries of each simulation. */
  repeat: z.number().int().min(1).max(20).default(1),
  concurrency: z.number().int().min(1).max(32).default(4),
  /** The live versions instead of the drafts. */
  live: z.boolean().default(false),
});

export const AgreementSchema = z.strictObject({
  reviewed: z.number().int().nonnegative(),
  agreed: z.number().int().nonnegative(),
  overruled: z.number().int().nonnegative(),
  rate: z.number().min(0).max(1).nullable(),
});
export type AgreementView = z.infer<typeof AgreementSchema>;

export const LastRunSchema = z.strictObject({
  runId: z.number().int().positive(),
  status: runStatusSchema,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  procedureHash: z.string(),
  /** The live version it ran on; null: a draft. */
  version: z.number().int().nullable(),
  /** It ran on a text other than the current draft. */
  stale: z.boolean(),
  /** Its suite's tries of this simulation (pass^k when k > 1). */
  tries: z.number().int().nonnegative(),
  passes: z.number().int().nonnegative(),
  cancelled: z.boolean(),
});

export const SimulationSummarySchema = z.strictObject({
  id: z.number().int().positive(),
  procedure: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  updatedAt: z.string(),
  lastRun: LastRunSchema.nullable(),
});
export type SimulationSummary = z.infer<typeof SimulationSummarySchema>;

export const SimulationListSchema = z.strictObject({
  procedure: z.string(),
  draftHash: z.string(),
  liveVersion: z.number().int().nullable(),
  simulations: z.array(SimulationSummarySchema),
  /** Judge–human agreement over this Procedure's reviewed runs. */
  agreement: AgreementSchema,
});
export type SimulationList = z.infer<typeof SimulationListSchema>;

export const SimulationDetailSchema = z.strictObject({
  procedure: z.string(),
  name: z.string(),
  definition: z.record(z.string(), z.unknown()),
});

export const EstimateSchema = z.strictObject({
  runs: z.number().int().nonnegative(),
  tokens: z.number().nonnegative(),
  usd: z.number().nonnegative(),
  fromLastRun: z.number().int().nonnegative(),
  fromLength: z.number().int().nonnegative(),
  unpricedModels: z.array(z.string()),
});
export type EstimateView = z.infer<typeof EstimateSchema>;

export const SuiteCountsSchema = z.strictObject({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
});
export type SuiteCounts = z.infer<typeof SuiteCountsSchema>;

export const ComparisonEntrySchema = z.strictObject({
  name: z.string(),
  change: z.enum(['newly_failing', 'newly_passing', 'still_passing', 'still_failing', 'new']),
  /** Mixed results across its k tries. */
  flaky: z.boolean(),
  runIds: z.array(z.number().int()),
  previousRunIds: z.array(z.number().int()),
});

export const ProcedureChangeSchema = z.strictObject({ procedure: z.string(), added: z.number().int(), removed: z.number().int(), patch: z.string() });

export const NodeCoverageSchema = z.strictObject({ id: z.string(), label: z.string(), visits: z.number().int().nonnegative(), kind: z.enum(['step', 'branch']) });
export type NodeCoverageView = z.infer<typeof NodeCoverageSchema>;

export const CoverageSchema = z.strictObject({
  procedure: z.string(),
  runs: z.number().int().nonnegative(),
  nodes: z.array(NodeCoverageSchema),
  unreached: z.array(z.string()),
});
export type CoverageView = z.infer<typeof CoverageSchema>;

export const SuiteViewSchema = z.strictObject({
  suiteId: z.number().int().positive(),
  procedure: z.string(),
  status: z.enum(['running', 'finished', 'cancelled', 'error']),
  /** What started it: "app", "draft saved" (the auto re-run), "cli"… */
  trigger: z.string().nullable(),
  live: z.boolean(),
  k: z.number().int().positive(),
  counts: SuiteCountsSchema,
  passHatK: z.number().nullable(),
  costUsd: z.number().nonnegative(),
  estimatedUsd: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  comparison: z.array(ComparisonEntrySchema),
  procedureChanges: z.array(ProcedureChangeSchema),
  coverage: CoverageSchema.nullable(),
});
export type SuiteView = z.infer<typeof SuiteViewSchema>;

export const ReviewSchema = z.strictObject({ decision: z.enum(['agree', 'overrule']), note: z.string(), createdAt: z.string() });

export const RunCheckSchema = z.strictObject({
  name: z.string(),
  kind: checkKindSchema,
  passed: z.boolean(),
  /** After a review. */
  effectivePassed: z.boolean(),
  reason: z.string(),
  party: partySchema.nullable(),
  review: ReviewSchema.nullable(),
  evidence: z.unknown().optional(),
});
export type RunCheck = z.infer<typeof RunCheckSchema>;

const jsonObject = z.record(z.string(), z.unknown());

/**
 * The world a mocked run ended with, beside the one it started from: "recorded"; "none" when the run
 * had no mock world (live connectors, or it ended before its connectors started), with why; or
 * "not_recorded" for a run stored before final worlds were kept.
 */
export const RunFinalWorldSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('recorded'), startedFrom: z.string().nullable(), start: jsonObject, final: jsonObject }),
  z.strictObject({ state: z.literal('none'), reason: z.string() }),
  z.strictObject({ state: z.literal('not_recorded') }),
]);
export type RunFinalWorld = z.infer<typeof RunFinalWorldSchema>;

export const RunResultSchema = z.strictObject({
  runId: z.number().int().positive(),
  procedure: z.string(),
  simulation: z.string(),
  status: runStatusSchema,
  /** The status once reviews are counted. */
  reviewedStatus: runStatusSchema,
  cancelled: z.boolean(),
  summary: z.string(),
  attempt: z.number().int(),
  suiteId: z.number().int().nullable(),
  replayOf: z.number().int().nullable(),
  procedureHash: z.string(),
  version: z.number().int().nullable(),
  startedAt: z.string(),
  attribution: partySchema.nullable(),
  endedBy: z.string().nullable(),
  error: z.string().nullable(),
  costUsd: z.number().nonnegative(),
  turns: z.number().int().nonnegative(),
  checks: z.array(RunCheckSchema),
  transcript: z.array(z.strictObject({ role: z.string(), text: z.string() })),
  trace: z.array(PreviewTraceEventSchema),
  /** The starting world it ran on (mock mode), by name. */
  world: z.string().nullable(),
  finalWorld: RunFinalWorldSchema,
});
export type RunResult = z.infer<typeof RunResultSchema>;

export const PublishWarningSchema = z.strictObject({
  code: z.enum(['no_simulations', 'failing_simulations', 'stale_simulations', 'placeholders']),
  message: z.string(),
});
export type PublishWarningView = z.infer<typeof PublishWarningSchema>;

export const MutantSchema = z.strictObject({
  id: z.string(),
  operator: z.string(),
  description: z.string(),
  line: z.number().int(),
  /** The branch the change sits in: the one no simulation really tests when the mutant survives. */
  branchId: z.string().nullable(),
  /** That branch (else its step) in the Procedure's words, what the screen says. */
  place: z.string().nullable(),
});

export const MutationPlanSchema = z.strictObject({
  procedure: z.string(),
  mutants: z.array(MutantSchema),
  /** Mutants that do not validate: not run. */
  invalid: z.array(z.strictObject({ id: z.string(), description: z.string(), errors: z.array(z.string()) })),
  simulations: z.number().int().nonnegative(),
  estimate: z.strictObject({ suites: z.number().int(), runs: z.number().int(), usd: z.number(), tokens: z.number(), unpricedModels: z.array(z.string()) }),
});
export type MutationPlanView = z.infer<typeof MutationPlanSchema>;

export const MutationReportSchema = z.strictObject({
  procedure: z.string(),
  status: z.enum(['finished', 'cancelled', 'baseline_failed']),
  baseline: z.strictObject({ passed: z.array(z.string()), failed: z.array(z.string()) }),
  mutants: z.array(MutantSchema.extend({ status: z.enum(['killed', 'survived', 'error', 'cancelled']), killedBy: z.array(z.string()), errors: z.array(z.string()) })),
  killed: z.number().int(),
  survived: z.number().int(),
  score: z.number().nullable(),
  costUsd: z.number(),
  wallMs: z.number(),
  suitesWallMs: z.number(),
  overheadMs: z.number(),
  replayNote: z.string(),
});
export type MutationReportView = z.infer<typeof MutationReportSchema>;

const mutationInput = z.strictObject({ procedure: ProcedureNameSchema, tags: z.array(TagSchema).max(50).default([]) });

const procedureAndName = z.strictObject({ procedure: ProcedureNameSchema, name: SimulationNameSchema });
const runId = z.strictObject({ runId: z.number().int().positive() });
const suiteId = z.strictObject({ suiteId: z.number().int().positive() });

export const simulationCallSpecs = {
  'simulations.list': { summary: "A Procedure's simulations with each one's last result, and the judge–human agreement.", input: z.strictObject({ procedure: ProcedureNameSchema }), output: SimulationListSchema },
  'simulations.get': { summary: 'One simulation: its definition.', input: procedureAndName, output: SimulationDetailSchema },
  'simulations.save': {
    summary: 'Saves a simulation; the engine checks the definition with the schema the runs use (a wrong field is named, and nothing is saved). `previousName` renames it.',
    input: z.strictObject({ procedure: ProcedureNameSchema, name: SimulationNameSchema, previousName: SimulationNameSchema.optional(), definition: z.record(z.string(), z.unknown()) }),
    output: SimulationSummarySchema,
  },
  'simulations.delete': { summary: 'Deletes a simulation (its past runs stay in the history).', input: procedureAndName, output: z.strictObject({ ok: z.literal(true) }) },
  'simulations.estimate': { summary: 'What running a selection would cost, before it runs.', input: z.strictObject({ selection: SimulationSelectionSchema, options: RunOptionsSchema }), output: EstimateSchema },
  'simulations.run': {
    summary: 'Starts a suite in the background and answers at once; simulations.progress and simulations.finished follow.',
    input: z.strictObject({ selection: SimulationSelectionSchema, options: RunOptionsSchema }),
    output: z.strictObject({ suiteId: z.number().int().positive(), total: z.number().int().positive(), estimate: EstimateSchema }),
  },
  'simulations.cancel': { summary: 'Cancels a running suite: no new run starts, runs in flight stop, what finished is kept.', input: suiteId, output: z.strictObject({ cancelled: z.boolean() }) },
  'simulations.suite': { summary: 'A suite: counts, pass^k, cost, the comparison with the runs before it and the steps it covered.', input: suiteId, output: SuiteViewSchema },
  'simulations.latestSuite': { summary: "The Procedure's latest suite (null: none yet), e.g. the auto re-run's.", input: z.strictObject({ procedure: ProcedureNameSchema }), output: SuiteViewSchema.nullable() },
  'simulations.result': { summary: 'One run: verdict, checks as reviewed, attribution, transcript, trace, cost.', input: runId, output: RunResultSchema },
  'simulations.replay': {
    summary: 'Replays a run exactly, offline, with no model; says whether it came out the same.',
    input: runId,
    output: z.strictObject({ runId: z.number().int().positive(), identical: z.boolean(), differences: z.array(z.string()), status: runStatusSchema }),
  },
  'simulations.review': {
    summary: "Agrees with or overrules the judge on one criterion of a run, with a note.",
    input: z.strictObject({ runId: z.number().int().positive(), criterion: z.string().min(1).max(200), decision: z.enum(['agree', 'overrule']), note: z.string().max(4000).default('') }),
    output: z.strictObject({ result: RunResultSchema, agreement: AgreementSchema }),
  },
  'simulations.suggest': {
    summary: 'Proposes simulations with the author model, aimed at the given branches (none: every target of the Procedure). Nothing is saved: each proposal is accepted (saved) or rejected by the person.',
    input: z.strictObject({ procedure: ProcedureNameSchema, branches: z.array(z.string().min(1).max(500)).max(200).default([]) }),
    output: z.strictObject({ proposals: z.array(z.strictObject({ target: z.string(), name: z.string(), definition: z.record(z.string(), z.unknown()) })) }),
  },
  'simulations.planMutations': { summary: "Mutants of the Procedure's draft and what running the suite on each would cost; nothing runs.", input: mutationInput, output: MutationPlanSchema },
  'simulations.runMutations': {
    summary: 'Runs the suite on the Procedure, then on each mutant, in a throwaway copy of the workspace (only after the person agreed to the estimate); answers with the report. simulations.mutationProgress follows it.',
    input: mutationInput.extend({ concurrency: z.number().int().min(1).max(32).default(4) }),
    output: MutationReportSchema,
  },
  'simulations.suggestForSurvivors': {
    summary: 'Proposes simulations that would catch the given surviving mutants; nothing is saved.',
    input: mutationInput.extend({ mutants: z.array(z.string().min(1).max(50)).min(1).max(200) }),
    output: z.strictObject({ proposals: z.array(z.strictObject({ target: z.string(), name: z.string(), definition: z.record(z.string(), z.unknown()) })) }),
  },
  'simulations.improve': {
    summary: "Improve with AI: a revised draft from feedback on a run, as a diff. Nothing is applied; accepting saves `after` with `expectedHash: baseHash` (refused if the draft changed meanwhile).",
    input: z.strictObject({ procedure: ProcedureNameSchema, feedback: z.string().trim().min(1, 'Write the feedback.').max(20_000), runId: z.number().int().positive().optional() }),
    output: z.strictObject({
      baseHash: z.string(),
      after: z.string(),
      patch: z.string(),
      added: z.number().int(),
      removed: z.number().int(),
      summary: z.string(),
      valid: z.boolean(),
      problems: z.array(z.string()),
    }),
  },
  'simulations.publishWarnings': {
    summary: 'What to warn about before publishing the draft: no simulations, failing or stale ones, the starter text’s placeholders. Publishing itself does not look at it; the app asks first.',
    input: z.strictObject({ procedure: ProcedureNameSchema }),
    output: z.strictObject({ draftHash: z.string(), warnings: z.array(PublishWarningSchema) }),
  },
} as const;

export const simulationEventSpecs = {
  /** Mutation testing: the baseline suite or one mutant's suite finished. */
  'simulations.mutationProgress': z.strictObject({ procedure: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  /** A suite started, or one of its runs finished. */
  'simulations.progress': z.strictObject({ suiteId: z.number().int().positive(), procedure: z.string(), counts: SuiteCountsSchema }),
  /** A suite ended: finished, cancelled or failed to run (with why). */
  'simulations.finished': z.strictObject({ suiteId: z.number().int().positive(), procedure: z.string(), status: z.enum(['finished', 'cancelled', 'error']), counts: SuiteCountsSchema, error: z.string().nullable() }),
} as const;
