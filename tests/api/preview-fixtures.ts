// The chat preview tests' Procedure, connector and scripted agent (tests/api/preview*.test.ts).
import { toolCalls, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';

export const ORDER = `---
name: Order status
trigger: The customer asks where their order is.
attributes:
  order_id:
    type: string
  vip:
    type: boolean
---

## Look it up
Look the order up with @crm.lookup and tell the customer its status. @end
`;

export const crm = {
  name: 'crm',
  baseUrl: 'http://10.0.0.5/api',
  allowInternalHosts: true,
  auth: { type: 'none' },
  actions: [
    {
      name: 'lookup',
      description: 'Look an order up.',
      inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      method: 'GET',
      path: '/orders/{{input.id}}',
      responseFields: { status: 'status' },
      mocks: { responses: [{ body: { status: 'shipped' } }] },
    },
  ],
};

export const models = { agent: 'claude-test-agent', customer: 'claude-test-customer', judge: 'claude-test-judge', author: 'claude-test-author' };
export const LONG_REPLY = 'Your order 7 has shipped and should reach you within two working days, tracked all the way.';

/** The agent: looks the order up, then replies (streamed) and ends; `beforeReply` may answer otherwise. */
export function agentScript(beforeReply?: (request: RecordedRequest) => FakeResponse | null) {
  return (request: RecordedRequest): FakeResponse => {
    const last = request.body.messages.at(-1);
    const sawResult = JSON.stringify(last?.content ?? '').includes('tool_result');
    if (!sawResult) return toolCalls(['crm__lookup', { id: '7' }]);
    return beforeReply?.(request) ?? toolCalls(['reply', { message: LONG_REPLY }], ['end_procedure', { summary: 'Told the status.' }]);
  };
}

