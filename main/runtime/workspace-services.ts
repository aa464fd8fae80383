// The runtime's view of a workspace: its Procedures (live, or drafts for previews) and its
// knowledge hub.
import type { Workspace } from '../store/workspace';
import { compileProcedure, type CompiledProcedure } from './compiled-procedure';
import { conversationStateSchema, type ConversationPersistence, type ConversationState, type KnowledgeHit, type KnowledgeSearch, type ProcedureCatalog, type TraceEvent } from './types';

export class WorkspaceCatalog implements ProcedureCatalog {
  private readonly compiled = new Map<string, CompiledProcedure>();

  constructor(
    private readonly workspace: Workspace,
    private readonly draft: boolean,
  ) {}

  async routable(): Promise<{ name: string; trigger: string }[]> {
    const routable: { name: string; trigger: string }[] = [];
    for (const record of this.workspace.procedures.list()) {
      const procedure = await this.load(record.name, { draft: this.draft });
      if (procedure && !procedure.subProcedure && procedure.trigger) routable.push({ name: procedure.name, trigger: procedure.trigger });
    }
    return routable;
  }

  async load(name: string, options: { draft: boolean; version?: string }): Promise<CompiledProcedure | null> {
    const record = this.workspace.procedures.get(name);
    if (!record) return null;
    let text: string;
    let version: string;
    if (options.draft) {
      text = record.draftText;
      version = `draft:${record.draftHash}`;
    } else {
      // A conversation keeps the version it started with, even if a newer one is published meanwhile.
      const wanted = options.version ? this.workspace.procedures.history(name).find((summary) => summary.contentHash === options.version) : undefined;
      const summary = wanted ?? record.live;
      if (!summary) return null;
      text = this.workspace.procedures.version(name, summary.version).text;
      version = summary.contentHash;
    }
    const key = `${name}\u0000${version}`;
    let procedure = this.compiled.get(key);
    if (!procedure) {
      procedure = compileProcedure(text, version);
      this.compiled.set(key, procedure);
    }
    return procedure;
  }
}

export class WorkspaceKnowledge implements KnowledgeSearch {
  constructor(private readonly workspace: Workspace) {}

  search(query: string, limit: number): KnowledgeHit[] {
    return this.workspace.search.search(query, { limit }).map((hit) => ({ id: hit.id, title: hit.title, snippet: hit.snippet, url: hit.url }));
  }
}

const STORE_STATUS: Record<ConversationState['status'], 'open' | 'ended' | 'handed-off'> = {
  active: 'open',
  waiting: 'open',
  ended: 'ended',
  handed_off: 'handed-off',
  // The store's status column predates escalation; the exact outcome is kept in the state.
  escalated: 'handed-off',
};

/** Conversations in the workspace: the state, the transcript and the trace of each turn, in one transaction. */
export class WorkspacePersistence implements ConversationPersistence {
  constructor(private readonly workspace: Workspace) {}

  create(kind: 'preview' | 'simulation' | 'production'): number {
    return this.workspace.conversations.create({ kind }).id;
  }

  saveTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): void {
    const db = this.workspace.db;
    this.workspace.transaction(() => {
      for (const message of newMessages) this.workspace.conversations.addMessage(conversationId, message.role, message.text);
      if (trace.length > 0) {
        this.workspace.traces.append(
          conversationId,
          trace.map((event) => ({ type: event.type, stepId: event.stepId ?? null, payload: event.payload })),
        );
      }
      db.prepare(
        'INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      ).run(conversationId, JSON.stringify(state), new Date().toISOString());
      const status = STORE_STATUS[state.status];
      const current = this.workspace.conversations.require(conversationId);
      if (status !== 'open' && current.status === 'open') this.workspace.conversations.finish(conversationId, status);
      // A message after the end opens a new topic: the conversation is open again.
      if (status === 'open' && current.status !== 'open') db.prepare("UPDATE conversations SET status = 'open', ended_at = NULL WHERE id = ?").run(conversationId);
    });
  }

  load(conversationId: number): ConversationState | null {
    const raw = this.workspace.db.prepare('SELECT state FROM conversation_state WHERE conversation_id = ?').pluck().get(conversationId) as string | undefined;
    if (raw === undefined) return null;
    const parsed = conversationStateSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new Error(`The saved state of conversation ${conversationId} is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
    return parsed.data;
  }
}
