// The three agents under test, each with the fake model's script for it and the replies that
// script should produce (so a run that went astray is caught, not measured).
import type { FakeMessage, FakeResponse } from '../../tests/support/fake-anthropic';
import { CONVERSATION } from '../support/damaged-order';
import type { AgentName, AgentSetup, PeerAgent } from './agent';
import { PEER_TURNS } from './peer-script';

/** The actions every agent runs in the conversation, in order: the order looked up, the code sent and checked, the refund. */
export const CONVERSATION_ACTIONS = ['shop.get_order', 'accounts.send_code', 'accounts.check_code', 'payments.create_refund'];

export interface AgentEntry {
  name: AgentName;
  /** The model name it asks the fake for. */
  model: string;
  /** Loads the agent's framework (only when asked, so a memory probe loads one) and makes the agent. */
  create(setup: AgentSetup): Promise<PeerAgent>;
  /** The fake's answers, turn by turn. */
  script: FakeResponse[][];
  /** The reply expected at each turn. */
  replies: string[];
}

const blocks = (turn: FakeResponse[]) => turn.flatMap((response) => ('content' in response ? (response as FakeMessage).content : []));

export const AGENTS: AgentEntry[] = [
  {
    name: 'Stepwise',
    model: 'bench-stepwise',
    create: async (setup) => (await import('./stepwise-agent')).createStepwiseAgent(setup),
    script: CONVERSATION.map((turn) => turn.model),
    replies: CONVERSATION.map((turn) =>
      blocks(turn.model)
        .flatMap((block) => (block.type === 'tool_use' && block.name === 'reply' ? [(block.input as { message: string }).message] : []))
        .join('\n'),
    ),
  },
  { name: 'LangGraph.js', model: 'bench-langgraph', create: async (setup) => (await import('./langgraph-agent')).createLangGraphAgent(setup), script: PEER_TURNS, replies: PEER_TURNS.map(textOf) },
  { name: 'AI SDK', model: 'bench-ai-sdk', create: async (setup) => (await import('./ai-sdk-agent')).createAiSdkAgent(setup), script: PEER_TURNS, replies: PEER_TURNS.map(textOf) },
];

function textOf(turn: FakeResponse[]): string {
  return blocks(turn)
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('');
}

