// docs/runtime.md, tools: a `confirm` action needs an earlier ask and the customer's words quoted
// from their latest message.
import { describe, expect, it } from 'vitest';
import { call, conversation, customerSays, reachedFrame, types } from './support';

const atRefund = () => conversation({ stack: [reachedFrame('step:refund', 'step:refund (allowed)')], said: 'How much would I get back?' });

describe('confirmation', () => {
  it('refuses the first call and records the ask instead, without running anything', () => {
    const decision = call('payments__create_refund', { amount: 24, customer_agreement: 'How much would I get back' }, atRefund());
    expect(decision.effect).toBeNull();
    expect(decision.outcome).toMatchObject({ isError: true, followUp: false });
    expect(decision.outcome!.content).toContain('needs their explicit agreement first');
    expect(decision.state.pendingConfirmation).toEqual({ action: 'payments.create_refund', input: { amount: 24 }, turn: 1 });
    expect(types(decision.events)).toEqual(['action_needs_confirmation']);
  });

  it('runs it in a later turn, with the same input and the customer’s quoted words, and without the quote', () => {
    const asked = call('payments__create_refund', { amount: 24 }, atRefund()).state;
    const decision = call('payments__create_refund', { amount: 24, customer_agreement: 'yes, go ahead' }, customerSays(asked, 'Yes, go ahead please!'));
    expect(decision.effect).toEqual({ kind: 'connector', action: 'payments.create_refund', input: { amount: 24 } });
    expect(decision.outcome).toBeNull();
    expect(decision.state.pendingConfirmation).toBeNull();
  });

  it('refuses an agreement given in the same turn as the ask', () => {
    const asked = call('payments__create_refund', { amount: 24 }, conversation({ stack: [reachedFrame('step:refund', 'step:refund (allowed)')], said: 'yes go ahead' })).state;
    const decision = call('payments__create_refund', { amount: 24, customer_agreement: 'yes go ahead' }, asked);
    expect(decision.effect).toBeNull();
    expect(decision.outcome!.isError).toBe(true);
  });

  it('refuses words the customer did not write in their latest message', () => {
    const asked = call('payments__create_refund', { amount: 24 }, atRefund()).state;
    const agreedEarlier = customerSays(customerSays(asked, 'yes go ahead'), 'Actually, wait.');
    expect(call('payments__create_refund', { amount: 24, customer_agreement: 'yes go ahead' }, agreedEarlier).effect).toBeNull();
    expect(call('payments__create_refund', { amount: 24, customer_agreement: 'yes' }, customerSays(asked, 'no')).effect).toBeNull();
    expect(call('payments__create_refund', { amount: 24 }, customerSays(asked, 'yes go ahead')).effect).toBeNull();
  });

  it('refuses a different request from the one the customer was asked about', () => {
    const asked = call('payments__create_refund', { amount: 24 }, atRefund()).state;
    const decision = call('payments__create_refund', { amount: 240, customer_agreement: 'yes go ahead' }, customerSays(asked, 'yes go ahead'));
    expect(decision.effect).toBeNull();
    // The new request becomes the one waiting for agreement.
    expect(decision.state.pendingConfirmation).toMatchObject({ input: { amount: 240 }, turn: 2 });
  });

  it('lets an action that changes nothing run without agreement', () => {
    const decision = call('shop__get_order', { order_number: '1043' }, conversation());
    expect(decision.effect).toEqual({ kind: 'connector', action: 'shop.get_order', input: { order_number: '1043' } });
  });
});
