// Fake-model scripts for the example shop's simulations (examples/simulations/). Each conversation
// is told apart by its customer's opening, and its place by the request itself (the agent: how many
// answers of its own the history holds; the customer: how many messages it has written), so runs of
// the same simulation may interleave at any concurrency.
import { toolCalls, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';
import { roleOf, say, verdicts } from './helpers';
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
