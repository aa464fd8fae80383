// A runtime wired to the fake Messages API (through the real SDK and model client), the real Python
// sandbox, and in-memory connectors (allowed until the Connectors issue lands).
import { ModelClient } from '../../main/model/client';
import { ModelSettingsSchema } from '../../main/model/settings';
import { compileProcedure, type CompiledProcedure } from '../../main/runtime/compiled-procedure';
import { ConversationEngine, type EngineOptions } from '../../main/runtime/engine';
import type { ActionInfo, ActionResult, Connectors, ConversationPersistence, ConversationState, KnowledgeHit, ProcedureCatalog, TraceEvent } from '../../main/runtime/types';
import type { CodeSandbox } from '../../main/sandbox/types';
import { startFakeAnthropic, type FakeAnthropic, type Script } from '../support/fake-anthropic';
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
    };
  }

  async execute(action: string, input: unknown): Promise<ActionResult> {
    this.calls.push({ action, input });
    return this.actions[action]!.handler(input as Record<string, unknown>);
  }
}

export class TextCatalog implements ProcedureCatalog {
  private readonly procedures: Map<string, CompiledProcedure>;
  constructor(texts: string[]) {
    this.procedures = new Map(texts.map((text) => compileProcedure(text, 'draft')).map((procedure) => [procedure.name, procedure]));
  }
  async routable() {
    return [...this.procedures.values()].filter((p) => !p.subProcedure && p.trigger).map((p) => ({ name: p.name, trigger: p.trigger! }));
  }
  async load(name: string) {
    return this.procedures.get(name) ?? null;
  }
}

export class MemoryPersistence implements ConversationPersistence {
  private next = 1;
  readonly states = new Map<number, string>();
  readonly messages = new Map<number, { role: string; text: string }[]>();
  readonly traces = new Map<number, TraceEvent[]>();
  create(): number {
    const id = this.next++;
    this.messages.set(id, []);
    this.traces.set(id, []);
    return id;
  }
  saveTurn(id: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): void {
    this.states.set(id, JSON.stringify(state));
    this.messages.get(id)!.push(...newMessages);
    this.traces.get(id)!.push(...JSON.parse(JSON.stringify(trace)));
  }
  load(id: number): ConversationState | null {
    const saved = this.states.get(id);
    return saved ? (JSON.parse(saved) as ConversationState) : null;
  }
}

export interface Harness {
  fake: FakeAnthropic;
  engine: ConversationEngine;
  connectors: InMemoryConnectors;
  persistence: MemoryPersistence;
  events: { conversationId: number; event: TraceEvent }[];
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

export function shopConnectors(overrides: Record<string, ActionHandler> = {}): InMemoryConnectors {
  const ok = (data: unknown): ActionResult => ({ ok: true, data });
  return new InMemoryConnectors({
    'shop.get_order': { handler: overrides['shop.get_order'] ?? (() => ok(SHOP_ORDER)) },
    'shop.create_replacement': { info: { confirm: true }, handler: overrides['shop.create_replacement'] ?? (() => ok({ replacement_order: '1099' })) },
    'payments.create_refund': { info: { confirm: true }, handler: overrides['payments.create_refund'] ?? ((input) => ok({ refund_id: 're_1', amount: input.amount })) },
    'accounts.send_code': { handler: overrides['accounts.send_code'] ?? (() => ok({ sent: true })) },
    'accounts.check_code': { handler: overrides['accounts.check_code'] ?? ((input) => ok({ valid: input.code === '123456' })) },
    'tickets.create_issue': { handler: overrides['tickets.create_issue'] ?? (() => ok({ id: 'LIN-1' })) },
  });
}

export const examples = () => ['damaged-order.md', 'verify-identity.md', 'refund-request.md', 'password-reset.md', 'cancel-subscription.md'].map(readExample);

export async function createHarness(options: {
  script: Script;
  sandbox: CodeSandbox;
  texts?: string[];
  connectors?: InMemoryConnectors;
  knowledge?: (query: string) => KnowledgeHit[];
  engine?: Partial<EngineOptions>;
  persistence?: MemoryPersistence;
}): Promise<Harness> {
  const fake = await startFakeAnthropic(options.script);
  const connectors = options.connectors ?? shopConnectors();
  const persistence = options.persistence ?? new MemoryPersistence();
  const model = new ModelClient(ModelSettingsSchema.parse({ apiKey: 'sk-test-key', baseURL: fake.url, maxRetries: 2 }));
  const engine = new ConversationEngine({
    model,
    catalog: new TextCatalog(options.texts ?? examples()),
    connectors,
    sandbox: options.sandbox,
    knowledge: { search: (query) => (options.knowledge ? options.knowledge(query) : []) },
    persistence,
    draft: true,
    clock: () => new Date('2026-11-25T10:00:00Z'),
    ...options.engine,
  });
  const events: Harness['events'] = [];
  engine.subscribe((conversationId, event) => events.push({ conversationId, event }));
  return { fake, engine, connectors, persistence, events, close: () => fake.close() };
}
