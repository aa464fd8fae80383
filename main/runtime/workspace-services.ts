// The runtime's view of a workspace: its Procedures (live, or drafts for previews) and its
// knowledge hub.
import type { Workspace } from '../store/workspace';
import { compileProcedure, type CompiledProcedure } from './compiled-procedure';
import { conversationStateSchema, type ConversationPersistence, type ConversationState, type KnowledgeHit, type KnowledgeSearch, type ProcedureCatalog, type TraceEvent } from './types';

export class WorkspaceCatalog implements ProcedureCatalog {
  /** Compiled Procedures by name and content hash: a hash names one text forever. */
  private readonly compiled = new Map<string, CompiledProcedure>();

  constructor(
    private readonly workspace: Workspace,
    private readonly draft: boolean,
  ) {}

  async routable(): Promise<{ name: string; trigger: string }[]> {
    const routable: { name: string; trigger: string }[] = [];
    for (const { name, draftHash, liveHash } of this.workspace.procedures.hashes()) {
      const hash = this.draft ? draftHash : liveHash;
      if (!hash) continue;
      const procedure = this.compile(name, hash, this.draft);
      if (procedure && !procedure.subProcedure && procedure.trigger) routable.push({ name: procedure.name, trigger: procedure.trigger });
    }
    return routable;
  }

  async load(name: string, options: { draft: boolean; version?: string }): Promise<CompiledProcedure | null> {
    const current = this.workspace.procedures.hashes().find((entry) => entry.name === name);
    if (!current) return null;
    if (options.draft) return this.compile(name, current.draftHash, true);
    // A conversation keeps the version it started with, even if a newer one is published meanwhile.
    const known = options.version && this.workspace.procedures.history(name).some((summary) => summary.contentHash === options.version);
    const hash = known ? options.version! : current.liveHash;
    return hash ? this.compile(name, hash, false) : null;
  }

  private compile(name: string, hash: string, draft: boolean): CompiledProcedure | null {
    const version = draft ? `draft:${hash}` : hash;
    const key = `${name}\u0000${version}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const text = draft ? this.workspace.procedures.get(name)?.draftText : this.liveText(name, hash);
    if (text === undefined || text === null) return null;
    const procedure = compileProcedure(text, version);
    this.compiled.set(key, procedure);
    return procedure;
  }

  private liveText(name: string, hash: string): string | null {
    const summary = this.workspace.procedures.history(name).find((entry) => entry.contentHash === hash);
    return summary ? this.workspace.procedures.version(name, summary.version).text : null;
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

/**
 * Conversations in the workspace: the state, the transcript and the trace of each turn, in one
 * transaction. Turns are written with synchronous=NORMAL by default: in WAL mode that survives any
 * crash of the app, and a power cut can lose at most the last turns, never consistency. The rest
 * of the workspace (authoring) stays at FULL. Production deployments that must not lose a turn to
 * a power cut pass `synchronous: 'FULL'` (about 0.8 ms more per turn, measured in bench/).
 */
export class WorkspacePersistence implements ConversationPersistence {
  private readonly synchronous: 'FULL' | 'NORMAL';
  /** How many history messages each conversation has stored; history is append-only. */
  private readonly storedHistory = new Map<number, number>();

  constructor(
    private readonly workspace: Workspace,
    options: { synchronous?: 'FULL' | 'NORMAL' } = {},
  ) {
    this.synchronous = options.synchronous ?? 'NORMAL';
  }

  create(kind: 'preview' | 'simulation' | 'production'): number {
    return this.workspace.conversations.create({ kind }).id;
  }

  saveTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): void {
    const db = this.workspace.db;
    const previous = db.pragma('synchronous', { simple: true }) as number;
    db.pragma(`synchronous = ${this.synchronous}`);
    try {
      this.writeTurn(conversationId, state, newMessages, trace);
    } finally {
      db.pragma(`synchronous = ${previous}`);
    }
  }

  private writeTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): void {
    const db = this.workspace.db;
    const { history, ...rest } = state;
    const stored = this.storedHistoryLength(conversationId);
    this.workspace.transaction(() => {
      if (newMessages.length > 0) this.workspace.conversations.addMessages(conversationId, newMessages.map((message) => ({ role: message.role, content: message.text })));
      if (trace.length > 0) {
        this.workspace.traces.append(
          conversationId,
          trace.map((event) => ({ type: event.type, stepId: event.stepId ?? null, payload: event.payload })),
        );
      }
      // Only the messages added since the last save: the history is never rewritten.
      const insert = db.prepare('INSERT INTO conversation_history (conversation_id, seq, message) VALUES (?, ?, ?)');
      for (let index = stored; index < history.length; index++) insert.run(conversationId, index + 1, JSON.stringify(history[index]));
      db.prepare(
        'INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      ).run(conversationId, JSON.stringify({ ...rest, history: [] }), new Date().toISOString());
      const status = STORE_STATUS[state.status];
      const current = this.workspace.conversations.require(conversationId);
      if (status !== 'open' && current.status === 'open') this.workspace.conversations.finish(conversationId, status);
      // A message after the end opens a new topic: the conversation is open again.
      if (status === 'open' && current.status !== 'open') db.prepare("UPDATE conversations SET status = 'open', ended_at = NULL WHERE id = ?").run(conversationId);
    });
    this.storedHistory.set(conversationId, history.length);
  }

  private storedHistoryLength(conversationId: number): number {
    const known = this.storedHistory.get(conversationId);
    if (known !== undefined) return known;
    const count = this.workspace.db.prepare('SELECT count(*) FROM conversation_history WHERE conversation_id = ?').pluck().get(conversationId) as number;
    this.storedHistory.set(conversationId, count);
    return count;
  }

  load(conversationId: number): ConversationState | null {
    const raw = this.workspace.db.prepare('SELECT state FROM conversation_state WHERE conversation_id = ?').pluck().get(conversationId) as string | undefined;
    if (raw === undefined) return null;
    const parsed = conversationStateSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new Error(`The saved state of conversation ${conversationId} is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
    const rows = this.workspace.db.prepare('SELECT message FROM conversation_history WHERE conversation_id = ? ORDER BY seq').pluck().all(conversationId) as string[];
    this.storedHistory.set(conversationId, rows.length);
    return { ...parsed.data, history: rows.map((row) => JSON.parse(row) as ConversationState['history'][number]) };
  }
}
