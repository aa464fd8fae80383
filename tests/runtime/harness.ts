// A runtime wired to the fake Messages API (through the real SDK and model client), the real Python
// sandbox, a real workspace file (Procedures, knowledge hub, conversations, traces), and in-memory
// connectors (allowed until the Connectors issue lands).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importArticles } from '../../main/knowledge/import';
import { ModelClient } from '../../main/model/client';
import { ModelSettingsSchema } from '../../main/model/settings';
import { ConversationEngine, type ConversationEngineOptions } from '../../main/runtime/engine';
import type { ActionInfo, ActionResult, Connectors, TraceEvent } from '../../main/runtime/types';
import { WorkspaceCatalog, WorkspaceKnowledge, WorkspacePersistence } from '../../main/runtime/workspace-services';
import type { CodeSandbox } from '../../main/sandbox/types';
import { Workspace } from '../../main/store/workspace';
import type { FakeAnthropic, Script } from '../support/fake-anthropic';
import { useFakeAnthropic, useSandbox, type StartFakeAnthropic } from '../support/fixtures';
import { readExample } from '../support/paths';

export type ActionHandler = (input: Record<string, unknown>) => ActionResult | Promise<ActionResult>;

export class InMemoryConnectors implements Connectors {
  readonly calls: { action: string; input: unknown }[] = [];
  constructor(private readonly actions: Record<string, { info?: Partial<ActionInfo>; handler: ActionHandler }>) {}

  describe(action: string): ActionInfo | undefined {
    const entry = this.actions[action];
    if (!entry) return undefined;
    return {
      name: action,
      description: entry.info?.description ?? `Runs ${action}.`,
      inputSchema: entry.info?.inputSchema ?? { type: 'object', properties: {}, additionalProperties: true },
      confirm: entry.info?.confirm ?? false,
      ...(entry.info?.readOnly !== undefined ? { readOnly: entry.info.readOnly } : {}),
    };
  }

  async execute(action: string, input: unknown): Promise<ActionResult> {
    this.calls.push({ action, input });
    return this.actions[action]!.handler(input as Record<string, unknown>);
  }
}

export interface Harness {
  fake: FakeAnthropic;
  engine: ConversationEngine;
  connectors: InMemoryConnectors;
  workspace: Workspace;
  events: { conversationId: number; event: TraceEvent }[];
  /** The stored trace of a conversation. */
  trace(conversationId: number): TraceEvent[];
  /** The stored transcript of a conversation. */
  messages(conversationId: number): { role: string; text: string }[];
  close(): Promise<void>;
}

export const SHOP_ORDER = {
  order_number: '1043',
  delivered_on: '2026-11-10',
  status: 'delivered',
  items: [
    { sku: 'KETTLE-1', price: 24.0 },
    { sku: 'MUG-2', price: 8.5 },
  ],
  damaged_skus: ['KETTLE-1'],
};

/**
 * The example shop's actions in memory. `declared`: described as the workspace's connectors describe
 * them, so shop.get_order (a GET) is read-only and the runtime may look an order up itself.
 */
export function shopConnectors(overrides: Record<string, ActionHandler> = {}, options: { declared?: boolean } = {}): InMemoryConnectors {
  const ok = (data: unknown): ActionResult => ({ ok: true, data });
  const lookup: Partial<ActionInfo> | undefined = options.declared
    ? { readOnly: true, inputSchema: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] } }
    : undefined;
  return new InMemoryConnectors({
    'shop.get_order': { ...(lookup ? { info: lookup } : {}), handler: overrides['shop.get_order'] ?? (() => ok(SHOP_ORDER)) },
    'shop.create_replacement': { info: { confirm: true }, handler: overrides['shop.create_replacement'] ?? (() => ok({ replacement_order: '1099' })) },
    'payments.create_refund': { info: { confirm: true }, handler: overrides['payments.create_refund'] ?? ((input) => ok({ refund_id: 're_1', amount: input.amount })) },
    'accounts.send_code': { handler: overrides['accounts.send_code'] ?? (() => ok({ sent: true })) },
    'accounts.check_code': { handler: overrides['accounts.check_code'] ?? ((input) => ok({ valid: input.code === '123456' })) },
    'tickets.create_issue': { handler: overrides['tickets.create_issue'] ?? (() => ok({ id: 'LIN-1' })) },
  });
}

export const examples = () => ['damaged-order.md', 'verify-identity.md', 'refund-request.md', 'password-reset.md', 'cancel-subscription.md'].map(readExample);

/** A new workspace file holding the example Procedures as drafts (and `articles` in its knowledge hub). */
export function exampleWorkspace(articles: unknown[] = []): Workspace {
  const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-runtime-')), 'test.stepwise'));
  for (const text of examples()) workspace.procedures.create(text);
  if (articles.length > 0) importArticles(workspace.knowledge, articles);
  return workspace;
}

let startFake: StartFakeAnthropic | undefined;

/**
 * Call at the top of a runtime test file: the file's sandbox, and the hooks that close each
 * harness's model server after its test (or, made in a beforeAll, after the file), failed or not.
 */
export function useHarnessFixtures(): CodeSandbox {
  startFake = useFakeAnthropic();
  return useSandbox();
}

export async function createHarness(options: {
  script: Script;
  sandbox: CodeSandbox;
  connectors?: InMemoryConnectors;
  engine?: Partial<ConversationEngineOptions>;
  /** Reuse a workspace, e.g. to resume a conversation in a new engine. */
  workspace?: Workspace;
  /** Model settings over the defaults (retries, timeouts). */
  model?: Record<string, unknown>;
}): Promise<Harness> {
  if (!startFake) throw new Error('createHarness: call useHarnessFixtures() at the top of the test file');
  const fake = await startFake(options.script);
  const connectors = options.connectors ?? shopConnectors();
  const workspace = options.workspace ?? exampleWorkspace();
  const model = new ModelClient(ModelSettingsSchema.parse({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 2, ...options.model }));
  const engine = new ConversationEngine({
    model,
    catalog: new WorkspaceCatalog(workspace, true),
    connectors,
    sandbox: options.sandbox,
    knowledge: new WorkspaceKnowledge(workspace),
    persistence: new WorkspacePersistence(workspace),
    draft: true,
    clock: () => new Date('2026-11-25T10:00:00Z'),
    // The scripted scenarios answer the routing call; tests of the trigger match turn it on.
    routeByTriggerMatch: false,
    ...options.engine,
  });
  const events: Harness['events'] = [];
  engine.subscribe((conversationId, event) => events.push({ conversationId, event }));
  return {
    fake,
    engine,
    connectors,
    workspace,
    events,
    trace: (id) => workspace.traces.events(id).map((event) => ({ type: event.type, stepId: event.stepId, payload: event.payload })),
    messages: (id) => workspace.conversations.messages(id).map((message) => ({ role: message.role, text: message.content })),
    close: () => fake.close(),
  };
}
