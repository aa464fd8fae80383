// What a suite will cost before it runs: tokens × prices for each role's model. A simulation that
// has run before is estimated from its last run's recorded usage; one that has not, from its
// length (the Procedure's size, the turn limit, the number of criteria), with the assumptions
// below. After the suite, the actual cost is the sum of what each call cost.
import type { ModelSettings, ModelRole } from '../model/settings';
import { costOf, type TokenUsage } from '../model/usage';
import type { StoredSimulation } from '../store/simulations';
import type { Workspace } from '../store/workspace';
import type { UsageByRole } from './records';

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
