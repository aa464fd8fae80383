// What the fake model answers the peers at each customer turn of the damaged-order conversation,
// as a model given the Procedures and the tools answers a plain tool-calling agent: call the
// action the step needs, read its result, reply. Identical for LangGraph.js and the AI SDK, whose
// prompts carry the same Procedures and tools. (Stepwise's answers: bench/support/damaged-order.ts.)
import { reply, toolCall, type FakeResponse } from '../../tests/support/fake-anthropic';
import { CONVERSATION } from '../support/damaged-order';

export const PEER_TURNS: FakeResponse[][] = [
  [toolCall('shop__get_order', { order_number: '1043' }), reply('Sorry to hear that! What exactly is damaged?')],
  [reply('To confirm it is you: what is the email on your account?')],
  [toolCall('accounts__send_code', { email: 'sam@example.com' }), reply('I sent you a code. What is it?')],
  [toolCall('accounts__check_code', { code: '123456' }), reply('You are verified. Would you prefer a refund or a replacement?')],
  [reply('Your refund would be 24.00. Shall I go ahead?')],
  [toolCall('payments__create_refund', { amount: 24, customer_agreement: 'yes please go ahead' }), reply('Done! Anything else?')],
  [reply('Have a great day!')],
];

if (PEER_TURNS.length !== CONVERSATION.length) {
  throw new Error(`The peers' script has ${PEER_TURNS.length} turns for a ${CONVERSATION.length}-turn conversation`);
}
