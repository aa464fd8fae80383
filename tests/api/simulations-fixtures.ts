// The simulations screen's tests' Procedure, simulation and fake model (tests/api/simulations*.test.ts,
// tests/e2e/simulations.test.ts). The fake plays all three parts, told apart by the model each role
// asks for: the agent looks the order up when the Procedure offers the lookup (and only then), then
// tells the status and ends; the customer is satisfied; the judge passes the criterion.
import { toolCall, toolCalls, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';
import { crm, models, ORDER } from './preview-fixtures';

export { crm, models, ORDER };

/** The Procedure after an edit that drops the lookup: the same simulation now fails its expected action. */
export const ORDER_WITHOUT_LOOKUP = ORDER.replace('Look the order up with @crm.lookup and tell the customer its status. @end', 'Tell the customer their order is on its way. @end');

/** A second step no conversation of these scripts reaches (the first one ends): its two branches stay unreached. */
export const LOST_PARCEL = `
## Lost parcel
If the customer says the parcel never arrived:
  - Say sorry and offer to send it again.
Otherwise:
  - Tell them to wait one more day.
`;

export const SIMULATION = {
  description: 'Sam asks where order 7 is and hears it has shipped.',
  customer: { persona: 'Sam, in a hurry.', reason: 'Wants to know where order 7 is.', known: 'Order 7.', opening: 'Where is my order 7?' },
  connectors: { mode: 'mock' },
  criteria: [{ name: 'tells the status', assertion: 'The agent tells the customer the order has shipped.' }],
  expectedActions: [{ action: 'crm.lookup', args: { id: '7' } }],
  maxTurns: 3,
  tags: ['smoke'],
};

const verdict = (passed: boolean): FakeResponse =>
  toolCall('record_verdicts', {
    verdicts: [{ criterion: 'C1', verdict: passed ? 'pass' : 'fail', reasoning: passed ? 'The agent said the order has shipped.' : 'The agent never gave the status.' }],
    customer: { followed_instructions: true, stopped_early: false, reasoning: 'Kept to the persona.' },
  });

export interface ScriptOptions {
  /** Milliseconds each agent answer waits (to watch progress, or cancel mid-run). */
  agentDelayMs?: number;
  /** The judge's ruling on the criterion. */
  judgePasses?: boolean;
}

export function simulationScript(options: ScriptOptions = {}) {
  return (request: RecordedRequest): FakeResponse => {
    const model = request.body.model;
    if (model === models.judge) return verdict(options.judgePasses ?? true);
    if (model === models.author) return JSON.stringify(request.body.tools ?? []).includes('write_procedure') ? toolCall('write_procedure', { text: ORDER + LOST_PARCEL, summary: 'Look the order up again before telling the status.' }) : proposals(request);
    if (model === models.customer) return toolCall('customer_message', { done: true, reason: 'Got the status.' });
    const offersLookup = JSON.stringify(request.body.tools ?? []).includes('crm__lookup');
    const sawResult = JSON.stringify(request.body.messages.at(-1)?.content ?? '').includes('tool_result');
    const answer = offersLookup && !sawResult ? toolCalls(['crm__lookup', { id: '7' }]) : toolCalls(['reply', { message: 'Your order 7 has shipped.' }], ['end_procedure', { summary: 'Told the status.' }]);
    return options.agentDelayMs ? { ...answer, delayMs: options.agentDelayMs } : answer;
  };
}

/**
 * The author model: one simulation for each target the generator lists ("- <words> [target: <id>]
 * (at least n): …"), named and described from the words as the prompt asks; the id goes only in
 * `target`.
 */
function proposals(request: RecordedRequest): FakeResponse {
  const asked = (request.body.messages as { content: unknown }[]).map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n');
  const targets = [...asked.matchAll(/\n- (.+?) \[target: (\S+)\] \(at least (\d+)\)/g)].flatMap((match) =>
    Array.from({ length: Number(match[3]) }, (_, index) => ({ words: match[1]!, target: match[2]!, nth: index + 1 })),
  );
  return toolCall('propose_simulations', {
    simulations: targets.map(({ words, target, nth }) => ({ target, name: `Covers ${words}${nth > 1 ? ` (${nth})` : ''}`, definition: { ...SIMULATION, description: `Aimed at ${words}.`, tags: ['suggested'] } })),
  });
}
