// The LangGraph.js peer: the prebuilt ReAct agent (createReactAgent) over ChatAnthropic pointed at
// the fake server, its history kept by the SQLite checkpointer (one thread per conversation), the
// way LangGraph's documentation sets up a persistent tool-calling agent.
import { join } from 'node:path';
import { ChatAnthropic } from '@langchain/anthropic';
import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { peerSystemPrompt, peerTools, runAction, type AgentSetup, type PeerAgent } from './agent';

export function createLangGraphAgent(setup: AgentSetup): PeerAgent {
  // A database per agent: two agents in one bench must not share conversation threads.
  const checkpointer = SqliteSaver.fromConnString(join(setup.dir, `${setup.model}-checkpoints.sqlite`));
  let conversations = 0;
  let current = 0;
  const tools = peerTools(setup.connectors).map((peer) =>
    tool((input: unknown) => runAction(setup.connectors, peer.action, input, current), { name: peer.name, description: peer.description, schema: peer.inputSchema }),
  );
  const llm = new ChatAnthropic({ model: setup.model, apiKey: 'bench', maxRetries: 0, maxTokens: 1024, clientOptions: { baseURL: setup.url } });
  const agent = createReactAgent({ llm, tools, checkpointSaver: checkpointer, prompt: peerSystemPrompt(setup.procedures) });
  return {
    name: 'LangGraph.js',
    async start() {
      const id = ++conversations;
      const thread = { configurable: { thread_id: `conversation-${id}` } };
      return {
        async send(customer) {
          current = id;
          const state = await agent.invoke({ messages: [new HumanMessage(customer)] }, thread);
          return replyText(state.messages.at(-1));
        },
      };
    },
    close: async () => {
      (checkpointer as unknown as { db: { close(): void } }).db.close();
    },
  };
}

function replyText(message: BaseMessage | undefined): string {
  if (!message) return '';
  return typeof message.content === 'string' ? message.content : message.content.map((part) => ('text' in part ? part.text : '')).join('');
}
