// The simulations benches' Procedure and simulations (bench/simulations.bench.ts and
// simulations-app.bench.ts), and the scripted fake model that plays them, loaded by the fake
// server's worker thread.
import type { ModelRole } from '../../main/model/settings';
import { toolCall, toolCalls, type FakeResponse, type RecordedRequest } from '../../tests/support/fake-anthropic';

export const TURNS = 8;
export const DELAY_MS = 50;

export const MODELS: Record<ModelRole, string> = { agent: 'bench-agent', customer: 'bench-customer', judge: 'bench-judge', author: 'bench-author' };

/** The Procedure under test: the agent records each question and answers, until it ends. */
export const PROCEDURE_NAME = 'Order question';
export const PROCEDURE = `---
name: ${PROCEDURE_NAME}
trigger: The customer has a question about an order.
attributes:
  question:
    type: string
    description: The customer's latest question.
---

## Understand the question
Ask what the question is about and collect {question}.

## Answer
Answer the question from what you know, and ask if there is anything else. @end
`;

/** The nth simulation (from 1): a curious customer with questions, for as many turns as the script plays. */
export function simulationOf(n: number) {
  return {
    name: `Customer ${n}`,
    definition: { customer: { persona: `Customer ${n}, curious.`, reason: 'Questions about order 1043.' }, criteria: [{ name: 'answers', assertion: 'The agent answers every question.' }], maxTurns: TURNS + 2 },
  };
}

/**
 * The agent records the new question and replies every turn (one call per turn), and ends the
 * Procedure on turn 8; the customer keeps asking; the judge passes.
 */
export function script(request: RecordedRequest): FakeResponse {
  const role = (Object.entries(MODELS) as [ModelRole, string][]).find(([, model]) => model === request.body.model)![0];
  const at = (response: FakeResponse): FakeResponse => ({ ...response, delayMs: DELAY_MS });
  if (role === 'customer') return at(toolCall('customer_message', { message: `Another question about order 1043 (${JSON.stringify(request.body.messages).length})`, done: false }));
  if (role === 'judge') {
    return at(toolCall('record_verdicts', { verdicts: [{ criterion: 'C1', verdict: 'pass', reasoning: 'It answered.' }], customer: { followed_instructions: true, stopped_early: false, reasoning: 'Fine.' } }));
  }
  // The turn the runtime tells the model: its whole state at first, then what changed (`<state-changes turn="n">`).
  const turn = Math.max(0, ...[...JSON.stringify(request.body.messages.at(-1)).matchAll(/<state(?:-changes)? turn=\\"(\d+)\\"/g)].map((match) => Number(match[1])));
  if (turn >= TURNS) return at(toolCalls(['reply', { message: 'Glad I could help. Goodbye!' }], ['end_procedure', { summary: 'Answered.' }]));
  return at(toolCalls(['set_attributes', { values: { question: `Question ${turn}` } }], ['reply', { message: `Answer number ${turn}.` }]));
}

