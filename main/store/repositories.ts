// The store's ports: what the rest of the engine may ask of persistence. Only main/store/ knows
// SQL; everything else talks to these interfaces.
//
// Two kinds, by where they will run:
//  - Runtime-facing (conversations, their turns, traces): async, because the production server
//    puts them on PostgreSQL, a network away. Several writes that must land together go through
//    `unitOfWork`, which hands the work a set of repositories bound to one transaction.
//  - Studio-facing (Procedures, simulations, knowledge, connectors, keys, settings…): synchronous.
//    They live in the desktop app's workspace file, which is local SQLite on every platform the
//    studio runs on, and production reads Procedures and connectors from signed bundles, not from
//    them. Making them async would put an `await` on every authoring call for a network store no
//    one plans. Their interface is the SQLite implementation's public surface; a second
//    implementation would start by writing it out.
import type { ConversationStatus } from '../../shared/conversation-status';
import type { SqliteConnectorGrantRepository } from './connector-grants';
import type { SqliteConnectorRepository } from './connectors';
import type { StoredTurnState, TurnRecord } from './conversation-turns';
import type { Conversation, ConversationKind, Message, newConversationSchema } from './conversations';
import type { SqliteKeyRepository } from './keys';
import type { SqliteKnowledgeRepository } from './knowledge';
import type { SqliteKnowledgeSearchRepository } from './knowledge-search';
import type { SqliteProcedureRepository } from './procedures';
import type { SqliteSettingsRepository } from './settings';
import type { SqliteSimulationRepository } from './simulations';
import type { SqliteTeamRepository } from './teams';
import type { TraceEvent, TraceEventInput } from './traces';
import type { SqliteWorldRepository } from './worlds';
import type { z } from 'zod';

export type { Conversation, ConversationKind, Message, StoredTurnState, TraceEvent, TraceEventInput, TurnRecord };

// --- runtime-facing, async -------------------------------------------------------------------

export interface ConversationRepository {
  create(input: z.input<typeof newConversationSchema>): Promise<Conversation>;
  get(id: number): Promise<Conversation | null>;
  /** Newest first, optionally of one kind and in one status; at most `limit` (default 100). */
  list(options?: { kind?: ConversationKind; status?: ConversationStatus; limit?: number }): Promise<Conversation[]>;
  /** The transcript, in order. */
  messages(conversationId: number): Promise<Message[]>;
  setStatus(conversationId: number, status: ConversationStatus): Promise<void>;
}

export interface TraceRepository {
  /** Appends events, all or none; returns the first new sequence number. */
  append(conversationId: number, events: readonly TraceEventInput[]): Promise<number>;
  events(conversationId: number, options?: { afterSeq?: number; limit?: number }): Promise<TraceEvent[]>;
  count(conversationId?: number): Promise<number>;
}

export interface TurnRepository {
  /** Saves a turn (state, new history entries, transcript lines, trace, status), all or nothing. */
  save(conversationId: number, turn: TurnRecord): Promise<void>;
  /** The saved state and whole history, or null if no turn was ever saved. */
  load(conversationId: number): Promise<StoredTurnState | null>;
}

export interface ConversationRepositories {
  conversations: ConversationRepository;
  traces: TraceRepository;
  turns: TurnRepository;
}

export interface ConversationStore extends ConversationRepositories {
  /**
   * Runs `work` in one transaction: everything it writes through `repos` is kept together, or
   * nothing is if it throws. On SQLite (one connection) units run one at a time and may await only
   * their repositories; on PostgreSQL they run side by side, each isolated.
   */
  unitOfWork<T>(work: (repos: ConversationRepositories) => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding the conversation's lock: another call for the same conversation waits
   * until `work` settles, so two turns of one conversation are serialized, never interleaved;
   * other conversations do not wait. `work` may await anything (a model call). Refuses an unknown
   * conversation (not-found) without running `work`.
   *  - PostgreSQL: the lock holds across every instance on the database, and everything `work`
   *    writes through `repos` is in the lock's transaction: kept together when it returns, none
   *    of it if it throws or the instance dies.
   *  - SQLite: the lock holds in this process (the SQLite server is one process); `repos` are the
   *    store's own, each write committed as it is made (a turn's save is whole by itself).
   */
  withConversationLock<T>(conversationId: number, work: (repos: ConversationRepositories) => Promise<T>): Promise<T>;
}

// --- studio-facing, synchronous (SQLite) -----------------------------------------------------

/** The public members of an implementation: the interface a second one would implement. */
type Surface<T> = { [K in keyof T]: T[K] };

export type ProcedureRepository = Surface<SqliteProcedureRepository>;
export type SimulationRepository = Surface<SqliteSimulationRepository>;
export type KnowledgeRepository = Surface<SqliteKnowledgeRepository>;
export type KnowledgeSearchRepository = Surface<SqliteKnowledgeSearchRepository>;
export type ConnectorRepository = Surface<SqliteConnectorRepository>;
export type ConnectorGrantRepository = Surface<SqliteConnectorGrantRepository>;
export type KeyRepository = Surface<SqliteKeyRepository>;
export type SettingsRepository = Surface<SqliteSettingsRepository>;
export type TeamRepository = Surface<SqliteTeamRepository>;
export type WorldRepository = Surface<SqliteWorldRepository>;
