// One scripted conversation on the example "Damaged order claim": the customer's kettle from order
// 1043 arrived broken and sparks, so the agent looks the order up (a mocked connector over the shop
// world), the claim window code runs in the sandbox, and the agent hands off to the Safety team.
import type { SimulationDefinitionInput } from '../../main/simulations/definition';
import { toolCalls, type FakeResponse } from '../support/fake-anthropic';
import { say } from './helpers';

export const OPENING = 'My kettle from order 1043 arrived broken.';

export const agentScript = (): FakeResponse[] => [
  toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
  toolCalls(['go_to_step', { step_id: 'step:check-the-claim-window' }]),
  toolCalls(['go_to_step', { step_id: 'step:understand-the-damage' }], ['reply', { message: 'Sorry to hear that! What exactly is damaged?' }]),
  toolCalls(
    ['set_attributes', { values: { damage_description: 'The glass cracked and it sparks' } }],
    ['decide_condition', { condition_id: 'step:understand-the-damage/cond1', branch_id: 'step:understand-the-damage/cond1/b1', reason: 'Sparks are a safety hazard.' }],
    ['reply', { message: 'Please stop using the kettle right away. I am passing you to our Safety team.' }],
    ['handoff', { team: 'Safety team', summary: 'Kettle from order 1043 sparks when plugged in.' }],
  ),
];

export const customerScript = (): FakeResponse[] => [say('The glass cracked and it sparks when I plug it in.')];

export const baseDefinition = (extra: Partial<SimulationDefinitionInput> = {}): SimulationDefinitionInput => ({
  customer: {
    persona: 'Jane Doe, polite but worried.',
    reason: 'Her kettle from order 1043 arrived broken and sparks.',
    known: 'Order number 1043.',
    unknown: 'She does not know the delivery date.',
    opening: OPENING,
  },
  clock: '2026-11-25T10:00:00Z',
  maxTurns: 6,
  ...extra,
});
