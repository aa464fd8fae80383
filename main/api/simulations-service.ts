// The simulations calls of the API: each a call to the simulations service (main/services/), its
// result shaped as the contract says. A suite runs in the background: `simulations.run` answers with
// its id at once, progress and the end are pushed as events, and `simulations.cancel` aborts it.
import type { CallArgs, CallOutput, SimulationSelection, SuiteCounts } from '../../shared/api';
import { SimulationSelectionSchema } from '../../shared/api';
import { ModelClient, type ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { loadModelSettings } from '../model/workspace-settings';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import { ServiceError } from '../services/errors';
import { gatherPublishFacts, publishWarnings } from '../services/publish-gate';
import { proposeProcedureImprovement, suggestSimulations } from '../services/simulation-reports';
import { nothingMatches, SimulationService } from '../services/simulations';
import type { StoredSimulation } from '../store/simulations';
import type { Workspace } from '../store/workspace';
import { simulationDefinitionSchema, type SimulationDefinition } from '../../shared/simulations/definition';
import { describeZodError } from '../validation/zod-error';
import type { EventHub } from './events';
import { agreementOf, finalWorldOf, resultOf, suiteCountsOf, suiteViewOf, summaryOf } from './simulations-views';

/** The suites the app is running, so closing the app cancels them and waits before the workspace closes. */
export class RunningSuites {
  private readonly suites = new Map<number, { controller: AbortController; done: Promise<unknown> }>();

  add(suiteId: number, controller: AbortController, done: Promise<unknown>): void {
    this.suites.set(suiteId, { controller, done: done.catch(() => undefined) });
  }

  remove(suiteId: number): void {
    this.suites.delete(suiteId);
  }

  cancel(suiteId: number): boolean {
    const suite = this.suites.get(suiteId);
    suite?.controller.abort();
    return suite !== undefined;
  }

  async close(): Promise<void> {
    const all = [...this.suites.values()];
    for (const suite of all) suite.controller.abort();
    await Promise.all(all.map((suite) => suite.done));
  }
}

export interface SimulationDeps {
  suites: RunningSuites;
  workspace: Workspace;
  hub: EventHub;
  secrets: SecretStore;
  sandbox: CodeSandbox;
  modelClient?: (settings: ModelSettings) => ModelCaller;
}

/** What the app's suites are marked with, so the screen tells them from the auto re-run's. */
export const APP_TRIGGER = 'app';

export function simulationHandlers(deps: SimulationDeps) {
  const { workspace, hub } = deps;
  const service = new SimulationService({ workspace, sandbox: deps.sandbox, secrets: deps.secrets });
  const running = deps.suites;

  async function settings(): Promise<ModelSettings> {
    const loaded = await loadModelSettings(workspace, deps.secrets, {});
    if (!loaded.apiKey) throw new ServiceError('no-model', 'No model is configured: add an API key in Settings to run simulations.');
    return loaded;
  }

  function select(input: SimulationSelection): StoredSimulation[] {
    const selection = SimulationSelectionSchema.parse(input);
    workspace.procedures.require(selection.procedure);
    let chosen = service.select({ procedure: selection.procedure, tags: selection.tags });
    if (selection.names.length > 0) {
      const missing = selection.names.filter((name) => !chosen.some((simulation) => simulation.name === name));
      if (missing.length > 0) throw new ServiceError('not-found', `"${selection.procedure}" has no simulation called ${missing.map((name) => `"${name}"`).join(', ')}${selection.tags.length > 0 ? ' with those tags' : ''}: nothing was run.`);
      chosen = chosen.filter((simulation) => selection.names.includes(simulation.name));
    }
    if (chosen.length === 0) throw new ServiceError('not-found', nothingMatches({ procedure: selection.procedure, tags: selection.tags }));
    return chosen;
  }

  const estimateView = (estimate: ReturnType<SimulationService['estimate']>) => ({
    runs: estimate.runs,
    tokens: estimate.tokens,
    usd: estimate.usd,
    fromLastRun: estimate.fromLastRun,
    fromLength: estimate.fromLength,
    unpricedModels: estimate.unpricedModels,
  });

  return {
    'simulations.list': ({ procedure }: CallArgs<'simulations.list'>): CallOutput<'simulations.list'> => {
      const record = workspace.procedures.require(procedure);
      return {
        procedure: record.name,
        draftHash: record.draftHash,
        liveVersion: record.live?.version ?? null,
        simulations: workspace.simulations.list(record.name).map((simulation) => summaryOf(workspace, simulation, record.draftHash)),
        agreement: agreementOf(workspace, record.name),
      };
    },

    'simulations.get': ({ procedure, name }: CallArgs<'simulations.get'>): CallOutput<'simulations.get'> => {
      const simulation = workspace.simulations.get(procedure, name);
      if (!simulation) throw new ServiceError('not-found', `"${procedure}" has no simulation called "${name}".`);
      return { procedure: simulation.procedure, name: simulation.name, definition: simulation.definition as Record<string, unknown> };
    },

    'simulations.save': ({ procedure, name, previousName, definition }: CallArgs<'simulations.save'>): CallOutput<'simulations.save'> => {
      const record = workspace.procedures.require(procedure);
      const saved = workspace.transaction(() => {
        const taken = workspace.simulations.get(record.name, name);
        if (previousName !== undefined && previousName !== name) {
          if (taken) throw new ServiceError('conflict', `"${record.name}" already has a simulation called "${name}": nothing was saved.`);
          if (!workspace.simulations.get(record.name, previousName)) throw new ServiceError('not-found', `"${record.name}" has no simulation called "${previousName}" to rename.`);
          workspace.simulations.delete(record.name, previousName);
        } else if (previousName === undefined && taken) {
          throw new ServiceError('conflict', `"${record.name}" already has a simulation called "${name}": nothing was saved. Choose another name.`);
        }
        return workspace.simulations.save(record.name, name, parseDefinition(definition));
      });
      return summaryOf(workspace, saved, record.draftHash);
    },

    'simulations.delete': ({ procedure, name }: CallArgs<'simulations.delete'>): CallOutput<'simulations.delete'> => {
      if (!workspace.simulations.delete(procedure, name)) throw new ServiceError('not-found', `"${procedure}" has no simulation called "${name}".`);
      return { ok: true };
    },

    'simulations.estimate': async ({ selection, options }: CallArgs<'simulations.estimate'>): Promise<CallOutput<'simulations.estimate'>> => {
      const chosen = select(selection);
      const loaded = await loadModelSettings(workspace, deps.secrets, {});
      return estimateView(service.estimate(chosen, { repeat: options.repeat, settings: loaded }));
    },

    'simulations.run': async ({ selection, options }: CallArgs<'simulations.run'>): Promise<CallOutput<'simulations.run'>> => {
      const chosen = select(selection);
      const loaded = await settings();
      if (options.live) {
        const unpublished = [...new Set(chosen.map((simulation) => simulation.procedure))].filter((name) => !workspace.procedures.get(name)?.live);
        if (unpublished.length > 0) throw new ServiceError('invalid', `"${unpublished.join('", "')}" has no live version: publish it, or run on the draft.`);
      }
      const estimate = service.estimate(chosen, { repeat: options.repeat, settings: loaded });
      const model = (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(loaded);
      const controller = new AbortController();
      const procedure = SimulationSelectionSchema.parse(selection).procedure;
      const counts: SuiteCounts = { done: 0, total: chosen.length * options.repeat, passed: 0, failed: 0, errors: 0 };
      let suiteId: number | null = null;
      let settled!: () => void;
      // Resolves once the suite has ended and its end was told, whatever the outcome (for closing the app).
      const done = new Promise<void>((resolve) => (settled = resolve));
      // The suite id comes with its first progress event; the call answers once it is known.
      const started = new Promise<number>((resolve, reject) => {
        // The report only: the screen asks for the comparison and coverage when it shows the suite,
        // and computing them here held back the suite's end by a few hundred ms at 50 runs.
        const suite = service.runSuiteOnly(chosen, {
          model,
          repeat: options.repeat,
          concurrency: options.concurrency,
          live: options.live,
          estimate,
          signal: controller.signal,
          trigger: APP_TRIGGER,
          onProgress: (event) => {
            if (event.type === 'suite_started') {
              suiteId = event.suiteId;
              running.add(event.suiteId, controller, done);
              resolve(event.suiteId);
              hub.emit('simulations.progress', { suiteId: event.suiteId, procedure, counts: { ...counts } });
            } else if (event.type === 'run_finished' && suiteId !== null) {
              counts.done = event.finished;
              if (event.run.status === 'passed') counts.passed += 1;
              else if (event.run.status === 'failed') counts.failed += 1;
              else counts.errors += 1;
              hub.emit('simulations.progress', { suiteId, procedure, counts: { ...counts } });
            }
          },
        });
        suite
          .then(
            (report) => {
              running.remove(report.suiteId);
              hub.emit('simulations.finished', { suiteId: report.suiteId, procedure, status: report.status, counts: suiteCountsOf(report), error: null });
            },
            (error: unknown) => {
              const message = error instanceof Error ? error.message : String(error);
              // Refused before it started (a Procedure without a live version…): the call says why.
              if (suiteId === null) return reject(new ServiceError('invalid', message));
              running.remove(suiteId);
              hub.emit('simulations.finished', { suiteId, procedure, status: 'error', counts: { ...counts }, error: message });
            },
          )
          .finally(settled);
      });
      return { suiteId: await started, total: counts.total, estimate: estimateView(estimate) };
    },

    'simulations.cancel': ({ suiteId }: CallArgs<'simulations.cancel'>): CallOutput<'simulations.cancel'> => {
      return { cancelled: running.cancel(suiteId) };
    },

    'simulations.suite': ({ suiteId }: CallArgs<'simulations.suite'>): CallOutput<'simulations.suite'> => suiteViewOf(workspace, suiteId),

    'simulations.latestSuite': ({ procedure }: CallArgs<'simulations.latestSuite'>): CallOutput<'simulations.latestSuite'> => {
      const record = workspace.procedures.require(procedure);
      const suiteIds = workspace.simulations
        .list(record.name)
        .map((simulation) => workspace.simulations.runs(simulation.id, 1)[0]?.suiteId ?? null)
        .filter((id): id is number => id !== null);
      return suiteIds.length === 0 ? null : suiteViewOf(workspace, Math.max(...suiteIds));
    },

    'simulations.result': ({ runId }: CallArgs<'simulations.result'>): CallOutput<'simulations.result'> => {
      const view = service.show(runId);
      return resultOf(view, finalWorldOf(workspace, view.run));
    },

    'simulations.replay': async ({ runId }: CallArgs<'simulations.replay'>): Promise<CallOutput<'simulations.replay'>> => {
      workspace.simulations.requireRun(runId);
      const replay = await service.replay(runId);
      return { runId: replay.replay.runId, identical: replay.identical, differences: replay.differences, status: replay.replay.status };
    },

    'simulations.suggest': async ({ procedure, branches }: CallArgs<'simulations.suggest'>): Promise<CallOutput<'simulations.suggest'>> => {
      const loaded = await settings();
      const proposals = await suggestSimulations(workspace, async () => (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(loaded), procedure, branches);
      return { proposals: proposals.map((proposal) => ({ target: proposal.target, name: proposal.name, definition: proposal.definition as Record<string, unknown> })) };
    },

    'simulations.planMutations': async ({ procedure, tags }: CallArgs<'simulations.planMutations'>): Promise<CallOutput<'simulations.planMutations'>> => {
      const plan = service.planMutations(procedure, { tags, settings: await loadModelSettings(workspace, deps.secrets, {}) });
      return {
        procedure: plan.procedure,
        mutants: plan.mutants.map(mutantView),
        invalid: plan.invalid.map((entry) => ({ id: entry.mutant.id, description: entry.mutant.description, errors: entry.errors })),
        simulations: plan.simulations.length,
        estimate: { suites: plan.estimate.suites, runs: plan.estimate.runs, usd: plan.estimate.usd, tokens: plan.estimate.tokens, unpricedModels: plan.estimate.unpricedModels },
      };
    },

    'simulations.runMutations': async ({ procedure, tags, concurrency }: CallArgs<'simulations.runMutations'>): Promise<CallOutput<'simulations.runMutations'>> => {
      const loaded = await settings();
      const plan = service.planMutations(procedure, { tags, settings: loaded });
      const total = plan.mutants.length + 1;
      // The baseline suite counts as done once the first mutant starts; then each mutant as it finishes.
      let baselineDone = false;
      let mutantsDone = 0;
      const report = await service.runMutations(plan, {
        model: (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(loaded),
        concurrency,
        onProgress: (event) => {
          if (event.type === 'baseline_started') return;
          if (event.type === 'mutant_started') baselineDone = true;
          if (event.type === 'mutant_finished') mutantsDone += 1;
          hub.emit('simulations.mutationProgress', { procedure: plan.procedure, done: (baselineDone ? 1 : 0) + mutantsDone, total });
        },
      });
      return {
        procedure: report.procedure,
        status: report.status,
        baseline: { passed: report.baseline.passed, failed: report.baseline.failed },
        mutants: report.mutants.map((outcome) => ({ ...mutantView(outcome.mutant), status: outcome.status, killedBy: outcome.killedBy, errors: outcome.errors })),
        killed: report.killed,
        survived: report.survived,
        score: report.score,
        costUsd: report.costUsd,
        wallMs: report.wallMs,
        suitesWallMs: report.suitesWallMs,
        overheadMs: report.overheadMs,
        replayNote: report.replayNote,
      };
    },

    'simulations.suggestForSurvivors': async ({ procedure, tags, mutants }: CallArgs<'simulations.suggestForSurvivors'>): Promise<CallOutput<'simulations.suggestForSurvivors'>> => {
      const loaded = await settings();
      const plan = service.planMutations(procedure, { tags, settings: loaded });
      const chosen = plan.mutants.filter((mutant) => mutants.includes(mutant.id));
      const missing = mutants.filter((id) => !chosen.some((mutant) => mutant.id === id));
      if (missing.length > 0) throw new ServiceError('not-found', `The draft of "${plan.procedure}" has no mutant ${missing.join(', ')}: it changed since the mutation run. Run it again.`);
      const proposals = await service.suggestForSurvivors(plan.procedure, chosen, async () => (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(loaded));
      return { proposals: proposals.map((proposal) => ({ target: proposal.target, name: proposal.name, definition: proposal.definition as Record<string, unknown> })) };
    },

    'simulations.improve': async ({ procedure, feedback, runId }: CallArgs<'simulations.improve'>): Promise<CallOutput<'simulations.improve'>> => {
      const loaded = await settings();
      const proposal = await proposeProcedureImprovement(workspace, { model: async () => (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(loaded), sandbox: deps.sandbox }, procedure, feedback, runId);
      return {
        baseHash: proposal.baseHash,
        after: proposal.after,
        patch: proposal.patch,
        added: proposal.added,
        removed: proposal.removed,
        summary: proposal.summary,
        valid: proposal.valid,
        problems: proposal.valid ? [] : proposal.diagnostics.filter((d) => d.severity === 'error').map((d) => `line ${d.span.start.line}: ${d.message}`),
      };
    },

    'simulations.publishWarnings': ({ procedure }: CallArgs<'simulations.publishWarnings'>): CallOutput<'simulations.publishWarnings'> => {
      const record = workspace.procedures.require(procedure);
      const warnings = publishWarnings(gatherPublishFacts(workspace, record.name, record.draftText));
      return { draftHash: record.draftHash, warnings: warnings.map((warning) => ({ code: warning.code, message: warning.message })) };
    },

    'simulations.review': ({ runId, criterion, decision, note }: CallArgs<'simulations.review'>): CallOutput<'simulations.review'> => {
      service.review(runId, criterion, decision, note);
      const view = service.show(runId);
      const result = resultOf(view, finalWorldOf(workspace, view.run));
      return { result, agreement: agreementOf(workspace, result.procedure) };
    },
  };
}

/** The definition, checked with the schema the runs use; a wrong field is named with its path. */
function parseDefinition(definition: unknown): SimulationDefinition {
  const parsed = simulationDefinitionSchema.safeParse(definition);
  if (!parsed.success) throw new ServiceError('invalid', `The simulation is not valid: ${describeZodError(parsed.error)}. Nothing was saved.`);
  return parsed.data;
}

const mutantView = (mutant: { id: string; operator: string; description: string; line: number; branchId: string | null; place: string | null }) => ({
  id: mutant.id,
  operator: mutant.operator,
  description: mutant.description,
  line: mutant.line,
  branchId: mutant.branchId,
  place: mutant.place,
});
