// What the peer bench asks of each agent under test: start a conversation, take a customer's
// message, answer with the agent's reply. Stepwise, LangGraph.js and the AI SDK each implement it
// over the same connectors, tool names and fake model server.
import type { Connectors } from '../../main/runtime/types';
import { examples, shopConnectors, type InMemoryConnectors } from '../../tests/runtime/harness';
import { readExample } from '../../tests/support/paths';

export type AgentName = 'Stepwise' | 'LangGraph.js' | 'AI SDK';

export interface AgentSetup {
  /** The fake Messages API's base URL (no /v1). */
  url: string;
  /** The model name this agent asks for: the fake server keys its scripted answers by it. */
  model: string;
  connectors: Connectors;
  /** A folder for the agent's files (LangGraph's checkpoint database). */
  dir: string;
  /** The Procedures a peer's prompt carries (default: the workspace's); Stepwise always has its workspace. */
  procedures?: ProcedureScope;
}

/**
 * `workspace`: every Procedure Stepwise's workspace holds (the example Procedures), as a single
 * agent with no router needs to serve the same customers. `conversation`: only the two this
 * conversation uses, as if a router had picked them for free (the peers' smallest prompt).
 */
export type ProcedureScope = 'workspace' | 'conversation';

export interface PeerConversation {
  /** The customer's message in, the agent's reply (or replies, joined) out. */
  send(customer: string): Promise<string>;
}

export interface PeerAgent {
  name: AgentName;
  start(): Promise<PeerConversation>;
  close(): Promise<void>;
}

/**
 * Each agent's connectors: the example shop's actions in memory, described as the workspace's
 * connectors describe them (shop.get_order, a GET, is read-only, so Stepwise may look an order up
 * itself), as the runtime bench has them.
 */
export const benchConnectors = (): InMemoryConnectors => shopConnectors({}, { declared: true });

/**
 * The connector actions the conversation's two Procedures name (Damaged order claim and Verify
 * identity): the tools Stepwise sends for them, and the peers' whole tool set.
 */
export const PEER_ACTIONS = ['shop.get_order', 'shop.create_replacement', 'payments.create_refund', 'accounts.send_code', 'accounts.check_code'] as const;

/** Stepwise's tool name for an action (no dots in Anthropic tool names): the peers use the same. */
export const toolName = (action: string) => action.replace('.', '__');

export interface PeerTool {
  name: string;
  action: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The peers' tools: each action as the connectors describe it (as Stepwise is told), same name. */
export function peerTools(connectors: Connectors): PeerTool[] {
  return PEER_ACTIONS.map((action) => {
    const info = connectors.describe(action);
    if (!info) throw new Error(`The bench's connectors have no ${action}`);
    return { name: toolName(action), action, description: info.description, inputSchema: info.inputSchema as Record<string, unknown> };
  });
}

/** A peer agent's system prompt: an instruction, then the Procedures in scope, as written. */
export function peerSystemPrompt(scope: ProcedureScope = 'workspace'): string {
  const procedures = scope === 'workspace' ? examples() : [readExample('damaged-order.md'), readExample('verify-identity.md')];
  return [
    'You are a customer support agent. Follow these procedures step by step. Use the tools to look things up and act; ask the customer for what you need; reply briefly.',
    ...procedures,
  ].join('\n\n');
}

/** Runs an action through the connectors; its data (or its error) goes back to the model as JSON. */
export async function runAction(connectors: Connectors, action: string, input: unknown, conversationId: number): Promise<string> {
  const result = await connectors.execute(action, input, { conversationId });
  return JSON.stringify(result.ok ? result.data : { error: result.error });
}
