// The damaged-order conversation the runtime bench runs, with the answers the fake model gives
// Stepwise's agent at each customer turn (a routing call, when the runtime makes one). The peer bench runs the same
// customer turns through Stepwise and through peer frameworks, so both benches share this script:
// when the runtime needs fewer calls, its answers change here, once.
import { toolCalls, type FakeResponse } from '../../tests/support/fake-anthropic';

export interface ScriptedTurn {
  customer: string;
  /** The fake model's answers to Stepwise's calls during this turn, in order. */
  model: FakeResponse[];
}

export const CONVERSATION: ScriptedTurn[] = [
  {
    customer: 'Hi, my kettle arrived broken. Order 1043.',
    // The message matches the damage claim's trigger clearly: no routing call. Once the order number
    // is recorded the runtime looks the order up itself (shop.get_order is read-only), the move
    // passes the claim window's Python on the way, and the reply goes out after them.
    model: [
      toolCalls(
        ['set_attributes', { values: { order_number: '1043' } }],
        ['go_to_step', { step_id: 'doc3' }],
        ['reply', { message: 'Sorry to hear that! What exactly is damaged?' }],
      ),
    ],
  },
  {
    customer: 'The lid is cracked.',
    model: [
      toolCalls(
        ['set_attributes', { values: { damage_description: 'The lid is cracked' } }],
        ['decide_condition', { condition_id: 'doc3.c1', branch_id: 'none', reason: 'No hazard.' }],
        ['go_to_step', { step_id: 'doc4' }],
        ['run_subprocedure', { name: 'Verify identity' }],
        ['reply', { message: 'To confirm it is you: what is the email on your account?' }],
      ),
    ],
  },
  {
    customer: 'sam@example.com',
    model: [
      toolCalls(
        ['set_attributes', { values: { email: 'sam@example.com' } }],
        ['accounts__send_code', { email: 'sam@example.com' }],
        ['go_to_step', { step_id: 'vi2' }],
        ['reply', { message: 'I sent you a code. What is it?' }],
      ),
    ],
  },
  {
    customer: '123456',
    model: [
      // The end presupposes the valid branch; had the code not matched, it would be refused and the reply held back.
      toolCalls(
        ['set_attributes', { values: { verification_code: '123456' } }],
        ['accounts__check_code', { code: '123456' }],
        ['end_procedure', {}],
        ['reply', { message: 'You are verified. Would you prefer a refund or a replacement?' }],
      ),
    ],
  },
  {
    customer: 'A refund please',
    // Asking for the refund without the customer's agreement makes it the pending ask, which the
    // customer's "yes" in the next turn lets through (a confirm action needs both).
    model: [
      toolCalls(['set_attributes', { values: { preferred_resolution: 'refund' } }]),
      toolCalls(['payments__create_refund', { amount: 24 }], ['reply', { message: 'Your refund would be 24.00. Shall I go ahead?' }]),
    ],
  },
  {
    customer: 'Yes please go ahead',
    model: [
      toolCalls(['payments__create_refund', { amount: 24, customer_agreement: 'yes please go ahead' }], ['go_to_step', { step_id: 'doc5' }], ['reply', { message: 'Done! Anything else?' }]),
    ],
  },
  { customer: 'No, thanks!', model: [toolCalls(['reply', { message: 'Have a great day!' }], ['end_procedure', {}])] },
];

/** The runtime's clock in both benches, so the claim window's Python sees the same day. */
export const BENCH_NOW = new Date('2026-11-25T10:00:00Z');
