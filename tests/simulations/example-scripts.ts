// Fake-model scripts for the example shop's simulations (examples/simulations/). Each conversation
// is told apart by its customer's opening, and its place by the request itself (the agent: how many
// answers of its own the history holds; the customer: how many messages it has written), so runs of
// the same simulation may interleave at any concurrency.
import { toolCalls, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';
import { done, roleOf, say, verdicts } from './helpers';
import { agentScript, customerScript } from './scenario';

export interface ConversationScript {
  opening: string;
  agent: FakeResponse[];
  customer: FakeResponse[];
  judge: FakeResponse;
}

export const SPARKING_KETTLE: ConversationScript = { opening: 'My kettle from order 1043 arrived broken.', agent: agentScript(), customer: customerScript(), judge: verdicts(['pass']) };

export const LOST_MAILBOX: ConversationScript = {
  opening: "I can't sign in. My account email is jane.doe@example.com.",
  agent: [
    toolCalls(['set_attributes', { values: { email: 'jane.doe@example.com' } }], ['accounts__lookup_account', { email: 'jane.doe@example.com' }]),
    toolCalls(['go_to_step', { step_id: 'step:check-mailbox-access' }], ['reply', { message: 'Can you still open the mailbox of jane.doe@example.com?' }]),
    toolCalls(
      ['set_attributes', { values: { has_email_access: false } }],
      ['reply', { message: 'We cannot change the email on an account without checking who you are, so I am passing you to our Trust and safety team.' }],
      ['handoff', { team: 'Trust and safety', summary: 'The customer lost access to the mailbox of jane.doe@example.com.' }],
    ),
  ],
  customer: [say('No, I lost access to that mailbox.')],
  judge: verdicts(['pass']),
};

/** Refund request / Damaged item becomes a claim: the plain condition sends it to the damage claim. */
export const DAMAGED_ITEM_SWITCH: ConversationScript = {
  opening: 'I want a refund for order 1043.',
  agent: [
    toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
    toolCalls(['go_to_step', { step_id: 'step:understand-the-reason' }], ['reply', { message: 'Why would you like a refund?' }]),
    toolCalls(
      ['decide_condition', { condition_id: 'step:understand-the-reason/cond1', branch_id: 'step:understand-the-reason/cond1/b1', reason: 'The mug arrived broken.' }],
      ['reply', { message: "I'll handle this as a damage claim instead, which is faster for you." }],
      ['start_procedure', { name: 'Damaged order claim' }],
    ),
  ],
  customer: [say('The mug arrived broken.'), done('Handled as a damage claim.')],
  judge: verdicts(['pass']),
};

/** Verify identity / Right code first time: the Python condition on check_code's result ends it verified. */
export const RIGHT_CODE: ConversationScript = {
  opening: 'Hi, my email is jane.doe@example.com.',
  agent: [
    toolCalls(['set_attributes', { values: { email: 'jane.doe@example.com' } }], ['accounts__send_code', { email: 'jane.doe@example.com' }]),
    toolCalls(['go_to_step', { step_id: 'step:check-the-code' }], ['reply', { message: 'I sent you a code by email. What is it?' }]),
    toolCalls(['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { email: 'jane.doe@example.com', code: '123456' }]),
    toolCalls(['reply', { message: 'Thank you, your identity is confirmed.' }], ['end_procedure', { summary: 'Verified.' }]),
  ],
  customer: [say('The code is 123456.')],
  judge: verdicts(['pass']),
};

const OMAR = { email: 'omar.haddad@example.com' };
/** Cancel subscription / Cancels without an offer: verified in the sub-procedure, no offer, agreement quoted. */
export const CANCEL_WITHOUT_OFFER: ConversationScript = {
  opening: 'Please cancel my subscription.',
  agent: [
    toolCalls(['run_subprocedure', { name: 'Verify identity' }], ['set_attributes', { values: OMAR }], ['accounts__send_code', OMAR], ['reply', { message: 'I sent a code to your email. What is it?' }]),
    toolCalls(['set_attributes', { values: { verification_code: '654321' } }], ['accounts__check_code', { ...OMAR, code: '654321' }]),
    toolCalls(['end_procedure', { summary: 'Verified.' }]),
    toolCalls(['billing__get_subscription', { customer_email: OMAR.email }]),
    toolCalls(['go_to_step', { step_id: 'step:understand-why' }], ['reply', { message: 'May I ask why you want to cancel?' }]),
    toolCalls(
      ['set_attributes', { values: { cancellation_reason: 'found_alternative' } }],
      ['decide_condition', { condition_id: 'step:understand-why/cond1', branch_id: 'none', reason: 'He found an alternative; no problem with the service.' }],
      ['go_to_step', { step_id: 'step:retention-offer' }],
    ),
    toolCalls(['go_to_step', { step_id: 'step:cancel' }], ['billing__cancel_subscription', { subscription_id: 'sub_1Omar' }], ['reply', { message: 'Cancelling stops further charges and your access continues until the end of the paid period. Shall I cancel it?' }]),
    toolCalls(['billing__cancel_subscription', { subscription_id: 'sub_1Omar', customer_agreement: 'Yes, please cancel it.' }]),
    toolCalls(['reply', { message: 'Done: your access continues until the end of the paid period. You can come back any time.' }], ['end_procedure', { summary: 'Cancelled.' }]),
  ],
  customer: [say('The code is 654321.'), say('I found another service.'), say('Yes, please cancel it.')],
  judge: verdicts(['pass', 'pass']),
};

/** A script for every example simulation (examples/simulations/). */
export const EXAMPLE_SCRIPTS = [SPARKING_KETTLE, LOST_MAILBOX, DAMAGED_ITEM_SWITCH, RIGHT_CODE, CANCEL_WITHOUT_OFFER];

/** Answers each role of each conversation from its script; anything else is a 500 naming what was unexpected. */
export function conversationsScript(conversations: readonly ConversationScript[]): (request: RecordedRequest) => FakeResponse {
  return (request) => {
    const role = roleOf(request);
    const messages = JSON.stringify(request.body.messages);
    const conversation = conversations.find((candidate) => messages.includes(JSON.stringify(candidate.opening).slice(1, -1)));
    if (!conversation) return { status: 500, error: { type: 'api_error', message: `Fake Anthropic: no script for this ${role} request` } };
    if (role === 'judge') return conversation.judge;
    const index =
      role === 'agent'
        ? request.body.messages.filter((message) => message.role === 'assistant').length
        : (messages.match(/You: /g)?.length ?? 1) - 1;
    const next = (role === 'agent' ? conversation.agent : conversation.customer)[index];
    return next ?? { status: 500, error: { type: 'api_error', message: `Fake Anthropic: ${role} call ${index + 1} of "${conversation.opening}" is not scripted` } };
  };
}
