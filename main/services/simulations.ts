// The rules for simulations, whoever asks: which saved simulations a suite runs (a Procedure's,
// those with a tag), its cost estimate, the suite itself on drafts or live versions with what it
// changed since the previous runs and the steps it covered, the exact offline replay of a run,
// the list with each simulation's last result, a run with its checks as reviewed, human review of
// the judge's verdicts, the judge–human agreement, generating simulations for a Procedure, and
// importing τ²-bench tasks, adding simulations from a file, and mutation testing of a suite.
import { generateSimulations, saveGenerated, type GeneratedSimulation } from '../authoring/simulation-generator';
import type { ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { workspaceValidationContext } from '../procedures/workspace-context';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import { compareWithPrevious, type Comparison } from '../simulations/comparison';
import { estimateSuiteCost, type CostEstimate } from '../simulations/cost';
import { runsCoverage, type CoverageReport } from '../simulations/coverage';
import { reviewedChecks, reviewedStatus, reviewVerdict, type ReviewedCheck } from '../simulations/review';
import type { SimulationServices } from '../simulations/runner';
import { planMutations, runMutations, survivorTarget, type MutantOutcome, type MutationPlan, type MutationReport, type MutationRunOptions } from '../simulations/mutation-run';
import { replayRun, type ReplayResult } from '../simulations/simulate';
import { runSuite, type SuiteOptions, type SuiteReport } from '../simulations/suite';
import { parseSimulationFile, SimulationFileError } from '../simulations/simulation-file';
import { importTau2Tasks, type Tau2ImportReport } from '../simulations/tau2-import';
import { ServiceError } from './errors';
import type { Agreement, ReviewDecision } from '../store/simulation-reviews';
import type { DetailedRun, SimulationRun, StoredSimulation } from '../store/simulations';
import type { TraceEvent as StoredTraceEvent } from '../store/traces';
import type { Workspace } from '../store/workspace';

export interface SimulationFilter {
  procedure?: string;
  /** Any of these tags; none: every simulation. */
  tags?: readonly string[];
}

export interface SuiteRequest extends Omit<SuiteOptions, 'draft' | 'estimate'> {
  /** Run on the live versions instead of the drafts. */
  live: boolean;
  estimate: CostEstimate;
}

export interface SuiteResult {
  report: SuiteReport;
  comparison: Comparison;
  coverage: CoverageReport;
  agreement: Agreement;
}

/** A conversation as stored: its transcript and its trace. */
export interface ConversationRecord {
  transcript: { role: string; text: string }[];
  trace: StoredTraceEvent[];
}

export interface RunView extends ConversationRecord {
  run: DetailedRun;
  simulation: StoredSimulation | null;
  checks: ReviewedCheck[];
  /** The run's status once the reviews are taken into account. */
  reviewedStatus: DetailedRun['status'];
}

/** The simulations that have at least one of `tags` (all of them when no tag is given). */
export function withTags<T extends { definition: { tags: readonly string[] } }>(simulations: readonly T[], tags: readonly string[]): T[] {
  return simulations.filter((simulation) => tags.length === 0 || simulation.definition.tags.some((tag) => tags.includes(tag)));
}

/** Why a selection is empty, naming the filter. */
export function nothingMatches(filter: SimulationFilter): string {
  const tags = filter.tags ?? [];
  return `No simulations match${filter.procedure ? ` in "${filter.procedure}"` : ''}${tags.length > 0 ? ` with the tag ${tags.join(' or ')}` : ''}: nothing was run.`;
}

export class SimulationService {
  private readonly services: SimulationServices;

  constructor(deps: { workspace: Workspace; sandbox: CodeSandbox; secrets?: SecretStore }) {
    this.services = { workspace: deps.workspace, sandbox: deps.sandbox, ...(deps.secrets ? { secrets: deps.secrets } : {}) };
  }

  private get workspace() {
    return this.services.workspace;
  }

  select(filter: SimulationFilter): StoredSimulation[] {
    return withTags(this.workspace.simulations.list(filter.procedure), filter.tags ?? []);
  }

  estimate(simulations: readonly StoredSimulation[], options: { repeat: number; settings: ModelSettings }): CostEstimate {
    return estimateSuiteCost(this.workspace, simulations, options);
  }

  /** Runs the suite, then compares it with the previous runs and measures what it covered. */
  async runSuite(simulations: readonly StoredSimulation[], request: SuiteRequest): Promise<SuiteResult> {
    const report = await this.runSuiteOnly(simulations, request);
    const runIds = report.runs.map((run) => run.runId);
    return { report, comparison: compareWithPrevious(this.workspace, runIds), coverage: runsCoverage(this.workspace, runIds), agreement: this.agreement() };
  }

  /** Runs a suite and reports it, without the comparison and coverage (the app asks for those when it shows the suite). */
  runSuiteOnly(simulations: readonly StoredSimulation[], request: SuiteRequest): Promise<SuiteReport> {
    const { live, ...options } = request;
    return runSuite(this.services, simulations, { ...options, draft: !live });
  }

  /** Plays a recorded run again, offline, and says whether it came out the same. */
  replay(runId: number): Promise<ReplayResult> {
    return replayRun(this.services, runId);
  }

  list(procedure?: string): { simulation: StoredSimulation; lastRun: SimulationRun | null }[] {
    return this.workspace.simulations.list(procedure).map((simulation) => ({ simulation, lastRun: this.workspace.simulations.lastRun(simulation.id) }));
  }

  show(runId: number): RunView {
    const run = this.workspace.simulations.requireRun(runId);
    const checks = reviewedChecks(run.checks, this.workspace.simulations.reviews.forRun(runId));
    return {
      run,
      simulation: this.workspace.simulations.byId(run.simulationId),
      checks,
      reviewedStatus: reviewedStatus(run, checks),
      ...this.conversation(run.details?.conversationId ?? null),
    };
  }

  /** The transcript and trace of a run's conversation (empty when it never started). */
  conversation(conversationId: number | null): ConversationRecord {
    if (!conversationId) return { transcript: [], trace: [] };
    return {
      transcript: this.workspace.conversations.messages(conversationId).map((message) => ({ role: message.role, text: message.content })),
      trace: this.workspace.traces.events(conversationId),
    };
  }

  /** Agrees with or overrules the judge on one criterion of a run; the run then counts as the review says. */
  review(runId: number, criterion: string, decision: ReviewDecision, note = '', reviewer: string | null = null): { checks: ReviewedCheck[]; status: DetailedRun['status']; agreement: Agreement } {
    const checks = reviewVerdict(this.workspace, runId, criterion, decision, note, reviewer);
    return { checks, status: reviewedStatus(this.workspace.simulations.requireRun(runId), checks), agreement: this.agreement() };
  }

  agreement(): Agreement {
    return this.workspace.simulations.reviews.agreement();
  }

  /**
   * Mutation testing, step one: a Procedure's mutants and what running its simulations (those with
   * any of `tags`) on each would cost. Nothing runs; show the estimate and ask before `runMutations`.
   */
  planMutations(procedure: string, options: { tags?: readonly string[]; settings: ModelSettings }): MutationPlan {
    const record = this.workspace.procedures.require(procedure);
    const filter = { procedure: record.name, tags: options.tags ?? [] };
    const simulations = this.select(filter);
    if (simulations.length === 0) throw new ServiceError('invalid', `${nothingMatches(filter)} Mutation testing needs simulations that pass on the Procedure.`);
    return planMutations(this.workspace, record.name, simulations, options.settings, workspaceValidationContext(this.workspace));
  }

  /** Step two, with the user's consent: the suite on the Procedure, then on each mutant, in a throwaway copy of the workspace. */
  runMutations(plan: MutationPlan, options: MutationRunOptions): Promise<MutationReport> {
    return runMutations(this.services, plan, options);
  }

  /** "Suggest a simulation that would catch this": the simulation generator aimed at surviving mutants. */
  async suggestForSurvivors(procedure: string, survivors: readonly MutantOutcome['mutant'][], model: () => Promise<ModelCaller>): Promise<GeneratedSimulation[]> {
    this.workspace.procedures.require(procedure);
    if (survivors.length === 0) return [];
    return generateSimulations({ workspace: this.workspace, model: await model() }, procedure, { targets: survivors.map(survivorTarget) });
  }

  /** Proposes simulations for a Procedure; the model is asked for only once the Procedure is known. */
  async generate(procedure: string, model: () => Promise<ModelCaller>): Promise<GeneratedSimulation[]> {
    this.workspace.procedures.require(procedure);
    return generateSimulations({ workspace: this.workspace, model: await model() }, procedure);
  }

  saveGenerated(procedure: string, generated: readonly GeneratedSimulation[]): void {
    saveGenerated(this.workspace, procedure, generated);
  }

  /**
   * Adds the simulations of a YAML or JSON file (main/simulations/simulation-file.ts) in one
   * transaction: a wrong field is named with its path and nothing is saved. A name already taken
   * is refused unless `replace`.
   */
  addFromFile(text: string, source: string, options: { procedure?: string; replace?: boolean } = {}): { procedure: string; name: string; replaced: boolean }[] {
    let entries;
    try {
      entries = parseSimulationFile(text, source, options.procedure);
    } catch (error) {
      if (error instanceof SimulationFileError) throw new ServiceError('invalid', `${error.message} Nothing was saved.`);
      throw error;
    }
    return this.workspace.transaction(() =>
      entries.map((entry) => {
        const record = this.workspace.procedures.require(entry.procedure);
        const replaced = this.workspace.simulations.get(record.name, entry.name) !== null;
        if (replaced && !options.replace) throw new ServiceError('conflict', `"${record.name}" already has a simulation called "${entry.name}": nothing was saved. Rename it in the file, or add --replace to overwrite it.`);
        const saved = this.workspace.simulations.save(record.name, entry.name, entry.definition);
        return { procedure: saved.procedure, name: saved.name, replaced };
      }),
    );
  }

  importTau2(procedure: string, json: string, file?: string): Tau2ImportReport {
    return importTau2Tasks(this.workspace, procedure, json, file);
  }
}
