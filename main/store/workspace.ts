// A workspace: one SQLite file holding everything a team authors and runs.
import type Database from 'better-sqlite3';
import { createAtomically } from './atomic-create';
import { SqliteConnectorGrantRepository } from './connector-grants';
import { SqliteConnectorRepository } from './connectors';
import { SqliteConversationTurnRepository } from './conversation-turns';
import { SqliteConversationRepository } from './conversations';
import { openDatabase, type OpenOptions, type OpenedDatabase } from './database';
import { createPrivateFile } from './private-files';
import { activityTransaction, DEFAULT_ACTIVITY_DURABILITY, type Durability } from './durability';
import { SqliteKeyRepository } from './keys';
import { SqliteKnowledgeRepository } from './knowledge';
import { SqliteKnowledgeSearchRepository } from './knowledge-search';
import { SqliteProcedureRepository } from './procedures';
import { SqliteProductionRepository, type ProductionRepository } from './production';
import type {
  ConnectorGrantRepository,
  ConnectorRepository,
  ConversationRepositories,
  ConversationStore,
  KeyRepository,
  KnowledgeRepository,
  KnowledgeSearchRepository,
  ProcedureRepository,
  SettingsRepository,
  SimulationRepository,
  TeamRepository,
  WorldRepository,
} from './repositories';
import { SqliteSettingsRepository } from './settings';
import { SqliteSimulationRepository } from './simulations';
import { SqliteTeamRepository } from './teams';
import { SqliteConversationStore } from './sqlite-conversation-store';
import { SqliteTraceRepository } from './traces';
import { SqliteWorkspaceMetaRepository } from './workspace-meta';
import { SqliteWorldRepository } from './worlds';
import { writeTransaction } from './write-transaction';

export interface WorkspaceOptions extends Omit<OpenOptions, 'create'> {
  /** How conversations, their turns and simulation bookkeeping are committed (durability.ts). Default 'relaxed'. */
  activityDurability?: Durability;
}

export class Workspace {
  readonly procedures: ProcedureRepository;
  readonly connectors: ConnectorRepository;
  /** What the local user allowed each connector to do (commands, secrets, internal hosts). */
  readonly connectorGrants: ConnectorGrantRepository;
  readonly teams: TeamRepository;
  readonly knowledge: KnowledgeRepository;
  readonly search: KnowledgeSearchRepository;
  readonly simulations: SimulationRepository;
  /**
   * Conversations and their traces, read synchronously by the studio (reports, coverage, tests).
   * The engine writes them through `conversationStore`.
   */
  readonly conversations: SqliteConversationRepository;
  readonly traces: SqliteTraceRepository;
  /** The runtime-facing ports on this file (async, as on PostgreSQL): what the engine persists through. */
  readonly conversationStore: ConversationStore;
  readonly meta: SqliteWorkspaceMetaRepository;
  readonly keys: KeyRepository;
  readonly settings: SettingsRepository;
  readonly worlds: WorldRepository;
  /** The production server's keys, idempotency records, webhook outbox (main/production/). */
  readonly production: ProductionRepository;

  private constructor(
    readonly path: string,
    /** Only main/store/ knows SQL: the connection never leaves the store. */
    private readonly db: Database.Database,
    readonly migration: OpenedDatabase['migration'],
    readonly activityDurability: Durability,
  ) {
    this.procedures = new SqliteProcedureRepository(db);
    this.connectors = new SqliteConnectorRepository(db);
    this.connectorGrants = new SqliteConnectorGrantRepository(db);
    this.teams = new SqliteTeamRepository(db);
    this.knowledge = new SqliteKnowledgeRepository(db);
    this.search = new SqliteKnowledgeSearchRepository(db);
    this.simulations = new SqliteSimulationRepository(db, this.procedures);
    this.conversations = new SqliteConversationRepository(db, activityDurability);
    this.traces = new SqliteTraceRepository(db, activityDurability);
    const turns = new SqliteConversationTurnRepository(db, activityDurability, this.conversations, this.traces);
    this.conversationStore = new SqliteConversationStore(db, activityDurability, { conversations: this.conversations, traces: this.traces, turns });
    this.meta = new SqliteWorkspaceMetaRepository(db);
    this.keys = new SqliteKeyRepository(db);
    this.settings = new SqliteSettingsRepository(db);
    this.worlds = new SqliteWorldRepository(db);
    this.production = new SqliteProductionRepository(db, activityDurability, this.conversations, turns);
  }

  /** Opens an existing workspace, migrating it (after a backup) if an older Stepwise made it. */
  static open(path: string, options: WorkspaceOptions = {}): Workspace {
    const { activityDurability, ...open } = options;
    const opened = openDatabase(path, open);
    return new Workspace(path, opened.db, opened.migration, activityDurability ?? DEFAULT_ACTIVITY_DURABILITY);
  }

  /**
   * Creates a new workspace, filled by `populate` (the example shop…), and opens it. It appears at
   * `path` only once complete: a creation killed halfway leaves nothing there. Refuses to touch a
   * file that is already there.
   */
  static create(path: string, populate?: (workspace: Workspace) => void): Workspace {
    createAtomically(path, (temporaryPath) => {
      const opened = openDatabase(temporaryPath, { create: true });
      const building = new Workspace(temporaryPath, opened.db, opened.migration, DEFAULT_ACTIVITY_DURABILITY);
      try {
        building.meta.markCreated();
        populate?.(building);
      } finally {
        building.close(); // the last connection: SQLite moves the WAL into the file and removes it
      }
    });
    return Workspace.open(path);
  }

  /**
   * A consistent copy of this workspace at `path` (SQLite's VACUUM INTO), opened: for work whose
   * writes must never reach this one, such as the simulation runs of a Procedure's mutants.
   */
  copyTo(path: string): Workspace {
    createPrivateFile(path); // VACUUM INTO fills an empty file, keeping its mode
    this.db.prepare('VACUUM INTO ?').run(path);
    return Workspace.open(path);
  }

  /** Runs `work` in one write transaction, started IMMEDIATE (see write-transaction.ts). */
  transaction<T>(work: () => T): T {
    return writeTransaction(this.db, work);
  }

  /**
   * Runs `work` (simulation bookkeeping: runs, results, recordings) in one write transaction
   * committed at the workspace's activity durability, like conversation turns.
   */
  recordActivity<T>(work: () => T): T {
    return activityTransaction(this.db, this.activityDurability, work);
  }

  /** See ConversationStore.unitOfWork: conversation writes that must land together. */
  unitOfWork<T>(work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    return this.conversationStore.unitOfWork(work);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** SQLite's own consistency check: "ok", or what it found. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
