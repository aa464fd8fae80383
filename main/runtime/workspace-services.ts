// The runtime's view of a workspace: its Procedures (live, or drafts for previews), its knowledge
// hub and its escalation policy.
import type { ConversationStore } from '../store/repositories';
import type { Workspace } from '../store/workspace';
import { compileProcedure, type CompiledProcedure } from './compiled-procedure';
import { EscalationPolicySchema, type EscalationPolicy } from './escalation';
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

/**
 * Conversations in the workspace, through the store's async ports (the ones the production server
 * puts on PostgreSQL): the state, the transcript and the trace of each turn in one transaction,
 * committed at the workspace's activity durability (store/durability.ts).
 */
export class WorkspacePersistence implements ConversationPersistence {
  private readonly store: ConversationStore;

  /** A workspace (its SQLite file) or any ConversationStore (PostgreSQL on the production server). */
  constructor(source: ConversationStore | Pick<Workspace, 'conversationStore'>) {
    this.store = 'conversationStore' in source ? source.conversationStore : source;
  }

  async create(kind: 'preview' | 'simulation' | 'production'): Promise<number> {
    return (await this.store.conversations.create({ kind })).id;
  }

  async saveTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): Promise<void> {
    const { history, ...rest } = state;
    await this.store.turns.save(conversationId, {
      state: rest,
      history,
      status: state.status,
      newMessages: newMessages.map((message) => ({ role: message.role, content: message.text })),
      trace: trace.map((event) => ({ type: event.type, stepId: event.stepId ?? null, payload: event.payload })),
    });
  }

  async load(conversationId: number): Promise<ConversationState | null> {
    const stored = await this.store.turns.load(conversationId);
    if (!stored) return null;
    const parsed = conversationStateSchema.safeParse({ ...(stored.state as object), history: stored.history });
    if (!parsed.success) throw new Error(`The saved state of conversation ${conversationId} is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`);
    return parsed.data;
  }
}

/** The workspace setting that holds its escalation policy. */
export const ESCALATION_SETTINGS_KEY = 'escalation';

/**
 * The workspace's escalation policy as stored (defaults where nothing is): its `team` takes the
 * escalations no active Procedure names a team for. A stored policy that is not valid is an error
 * naming the setting, not a silent default.
 */
export function workspaceEscalationPolicy(workspace: Workspace): EscalationPolicy {
  return workspace.settings.get(ESCALATION_SETTINGS_KEY, EscalationPolicySchema, {});
}
