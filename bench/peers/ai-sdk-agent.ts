// The AI SDK peer: generateText with tools (up to 10 steps a turn) over @ai-sdk/anthropic pointed
// at the fake server. The SDK keeps no history: the caller keeps each conversation's messages, as
// its documentation shows.
import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, jsonSchema, stepCountIs, tool, type ModelMessage, type ToolSet } from 'ai';
import { peerSystemPrompt, peerTools, runAction, type AgentSetup, type PeerAgent } from './agent';

export function createAiSdkAgent(setup: AgentSetup): PeerAgent {
  const anthropic = createAnthropic({ baseURL: `${setup.url}/v1`, apiKey: 'bench' });
  const model = anthropic(setup.model);
  const system = peerSystemPrompt(setup.procedures);
  let conversations = 0;
  let current = 0;
  const tools: ToolSet = Object.fromEntries(
    peerTools(setup.connectors).map((peer) => [
      peer.name,
      tool({ description: peer.description, inputSchema: jsonSchema(peer.inputSchema), execute: (input: unknown) => runAction(setup.connectors, peer.action, input, current) }),
    ]),
  );
  return {
    name: 'AI SDK',
    async start() {
      const id = ++conversations;
      const messages: ModelMessage[] = [];
      return {
        async send(customer) {
          current = id;
          messages.push({ role: 'user', content: customer });
          const result = await generateText({ model, system, messages, tools, stopWhen: stepCountIs(10), maxRetries: 0, maxOutputTokens: 1024 });
          messages.push(...result.response.messages);
          return result.text;
        },
      };
    },
    close: async () => undefined,
  };
}
