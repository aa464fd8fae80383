// What a suite will cost before it runs: tokens × prices for each role's model. A simulation that
// has run before is estimated from its last run's recorded usage; one that has not, from its
// length (the Procedure's size, the turn limit, the number of criteria), with the assumptions
// below. After the suite, the actual cost is the sum of what each call cost.
import type { ModelSettings, ModelRole } from '../model/settings';
import { costOf, type TokenUsage } from '../model/usage';
import type { StoredSimulation } from '../store/simulations';
import type { Workspace } from '../store/workspace';
import type { UsageByRole } from './records';
import { plural } from '../../shared/plural';

/** Assumptions of the estimate from length (tokens ≈ characters ÷ 4). */
export const ESTIMATE_ASSUMPTIONS = {
  /** Customer messages in a typical run, at most the simulation's turn limit. */
  typicalTurns: 6,
  agentCallsPerTurn: 1.5,
  /** Instructions and tool definitions around the Procedure in the agent's prompt, in characters. */
  agentOverheadChars: 6000,
  /** History the agent's prompt grows by each turn, in tokens. */
  historyTokensPerTurn: 250,
  agentOutputTokens: 120,
  customerPromptTokens: 400,
  customerOutputTokens: 60,
  judgePromptTokens: 1500,
  judgeTokensPerTurn: 400,
  judgeOutputTokensPerCriterion: 150,
} as const;

export interface SimulationEstimate {
  simulationId: number;
  procedure: string;
  name: string;
  basis: 'last run' | 'length';
  tokensPerRun: number;
  usdPerRun: number;
}

export interface CostEstimate {
  runs: number;
  tokens: number;
  usd: number;
  /** Simulations estimated from their last run, and from their length. */
  fromLastRun: number;
  fromLength: number;
  /** Models with no price in the settings: their calls count as free in the figure. */
  unpricedModels: string[];
  simulations: SimulationEstimate[];
}

const usage = (input: number, output: number): TokenUsage => ({ inputTokens: Math.round(input), outputTokens: Math.round(output), cacheReadTokens: 0, cacheWriteTokens: 0 });

/** Usage by role of one typical run, from the simulation's length. */
export function usageFromLength(simulation: StoredSimulation, procedureChars: number): Partial<Record<ModelRole, TokenUsage>> {
  const a = ESTIMATE_ASSUMPTIONS;
  const definition = simulation.definition;
  const turns = Math.min(definition.maxTurns, a.typicalTurns);
  const agentCalls = turns * a.agentCallsPerTurn;
  const agentPrompt = (procedureChars + a.agentOverheadChars) / 4 + (a.historyTokensPerTurn * turns) / 2;
  const customerCalls = definition.customer.opening ? turns - 1 : turns;
  const customerPrompt = a.customerPromptTokens + (turns * 80) / 2;
  return {
    agent: usage(agentCalls * agentPrompt, agentCalls * a.agentOutputTokens),
    customer: usage(customerCalls * customerPrompt, customerCalls * a.customerOutputTokens),
    judge: usage(a.judgePromptTokens + a.judgeTokensPerTurn * turns, a.judgeOutputTokensPerCriterion * (definition.criteria.length + 1)),
  };
}

function recordedUsage(usage: UsageByRole): Partial<Record<ModelRole, TokenUsage>> {
  return Object.fromEntries(
    Object.entries(usage).map(([role, entry]) => [role, { inputTokens: entry.inputTokens, outputTokens: entry.outputTokens, cacheReadTokens: entry.cacheReadTokens, cacheWriteTokens: entry.cacheWriteTokens }]),
  );
}

export function estimateSuiteCost(workspace: Workspace, simulations: readonly StoredSimulation[], options: { repeat: number; settings: ModelSettings }): CostEstimate {
  const unpriced = new Set<string>();
  const estimates = simulations.map((simulation): SimulationEstimate => {
    const last = workspace.simulations.runs(simulation.id, 5).find((run) => run.details && run.status !== 'error' && Object.keys(run.details.usage).length > 0);
    const byRole = last ? recordedUsage(last.details!.usage) : usageFromLength(simulation, workspace.procedures.get(simulation.procedure)?.draftText.length ?? 0);
    let tokens = 0;
    let usd = 0;
    for (const [role, entry] of Object.entries(byRole) as [ModelRole, TokenUsage][]) {
      const model = options.settings.models[role];
      tokens += entry.inputTokens + entry.outputTokens + entry.cacheReadTokens + entry.cacheWriteTokens;
      const cost = costOf(entry, options.settings.prices[model]);
      if (cost === null) unpriced.add(model);
      else usd += cost;
    }
    return { simulationId: simulation.id, procedure: simulation.procedure, name: simulation.name, basis: last ? 'last run' : 'length', tokensPerRun: tokens, usdPerRun: usd };
  });
  return {
    runs: simulations.length * options.repeat,
    tokens: estimates.reduce((sum, estimate) => sum + estimate.tokensPerRun, 0) * options.repeat,
    usd: estimates.reduce((sum, estimate) => sum + estimate.usdPerRun, 0) * options.repeat,
    fromLastRun: estimates.filter((estimate) => estimate.basis === 'last run').length,
    fromLength: estimates.filter((estimate) => estimate.basis === 'length').length,
    unpricedModels: [...unpriced].sort(),
    simulations: estimates,
  };
}

/** Dollars as the reports print them: six places under a cent (one call's cost), else four. */
export const usd = (value: number) => `$${value < 0.01 && value > 0 ? value.toFixed(6) : value.toFixed(4)}`;

/** How much of a cost is known: the model calls, those whose model had no price, and those models. */
export interface CostCoverage {
  calls: number;
  unpriced: number;
  unpricedModels: string[];
}

/** Which of the runs' calls had no price, naming each such role's model from the settings. */
export function costCoverage(usages: readonly UsageByRole[], models: ModelSettings['models']): CostCoverage {
  let calls = 0;
  let unpriced = 0;
  const unpricedModels = new Set<string>();
  for (const usage of usages) {
    for (const [role, entry] of Object.entries(usage) as [ModelRole, NonNullable<UsageByRole[ModelRole]>][]) {
      calls += entry.calls;
      unpriced += entry.unpriced;
      if (entry.unpriced > 0) unpricedModels.add(models[role]);
    }
  }
  return { calls, unpriced, unpricedModels: [...unpricedModels].sort() };
}

/** A cost in words, and whether any of it is known. */
export interface CostWords {
  known: boolean;
  /** "$0.0123"; "$0.0123 + 2 calls of unknown cost (no price set for m)"; "not known (no price set for m)". */
  text: string;
}

/**
 * A cost in words. Calls with no price count as nothing in the sum, so a cost made only of them is
 * "not known", never "$0.0000"; a cost with some says how many are missing from it.
 */
export function costInWords(costUsd: number, coverage: CostCoverage): CostWords {
  const why = `no price set for ${coverage.unpricedModels.length > 0 ? coverage.unpricedModels.join(', ') : 'its model'}`;
  if (coverage.unpriced > 0 && coverage.unpriced >= coverage.calls) return { known: false, text: `not known (${why})` };
  if (coverage.unpriced > 0) return { known: true, text: `${usd(costUsd)} + ${plural(coverage.unpriced, 'call')} of unknown cost (${why})` };
  return { known: true, text: usd(costUsd) };
}

/** The estimate in words: "not known" when every model it counts had no price. */
export function estimateInWords(estimate: Pick<CostEstimate, 'usd' | 'unpricedModels'>): CostWords {
  if (estimate.usd === 0 && estimate.unpricedModels.length > 0) return { known: false, text: `not known (no price set for ${estimate.unpricedModels.join(', ')})` };
  return { known: true, text: usd(estimate.usd) };
}
