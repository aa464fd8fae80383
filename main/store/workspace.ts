// A workspace: one SQLite file holding everything a team authors and runs.
import type Database from 'better-sqlite3';
import { KnowledgeSearch } from '../knowledge/search';
import { createAtomically } from './atomic-create';
import { ConnectorGrantRepository } from './connector-grants';
import { ConnectorRepository } from './connectors';
import { ConversationRepository } from './conversations';
import { openDatabase, type OpenOptions, type OpenedDatabase } from './database';
import { now } from './hash';
import { KeyRepository } from './keys';
import { KnowledgeRepository } from './knowledge';
import { ProcedureRepository } from './procedures';
import { SettingsRepository } from './settings';
import { SimulationRepository } from './simulations';
import { TeamRepository } from './teams';
import { TraceRepository } from './traces';
import { WorldRepository } from './worlds';
import { writeTransaction } from './write-transaction';

export class Workspace {
  readonly procedures: ProcedureRepository;
  readonly connectors: ConnectorRepository;
  /** What the local user allowed each connector to do (commands, secrets, internal hosts). */
  readonly connectorGrants: ConnectorGrantRepository;
  readonly teams: TeamRepository;
  readonly knowledge: KnowledgeRepository;
  readonly search: KnowledgeSearch;
  readonly simulations: SimulationRepository;
  readonly conversations: ConversationRepository;
  readonly traces: TraceRepository;
  readonly keys: KeyRepository;
  readonly settings: SettingsRepository;
  readonly worlds: WorldRepository;

  private constructor(
    readonly path: string,
    readonly db: Database.Database,
    readonly migration: OpenedDatabase['migration'],
  ) {
    this.procedures = new ProcedureRepository(db);
    this.connectors = new ConnectorRepository(db);
    this.connectorGrants = new ConnectorGrantRepository(db);
    this.teams = new TeamRepository(db);
    this.knowledge = new KnowledgeRepository(db);
    this.search = new KnowledgeSearch(db);
    this.simulations = new SimulationRepository(db, this.procedures);
    this.conversations = new ConversationRepository(db);
    this.traces = new TraceRepository(db);
    this.keys = new KeyRepository(db);
    this.settings = new SettingsRepository(db);
    this.worlds = new WorldRepository(db);
  }

  /** Opens an existing workspace, migrating it (after a backup) if an older Stepwise made it. */
  static open(path: string, options: Omit<OpenOptions, 'create'> = {}): Workspace {
    const opened = openDatabase(path, options);
    return new Workspace(path, opened.db, opened.migration);
  }

  /**
   * Creates a new workspace, filled by `populate` (the example shop…), and opens it. It appears at
   * `path` only once complete: a creation killed halfway leaves nothing there. Refuses to touch a
   * file that is already there.
   */
  static create(path: string, populate?: (workspace: Workspace) => void): Workspace {
    createAtomically(path, (temporaryPath) => {
      const opened = openDatabase(temporaryPath, { create: true });
      const building = new Workspace(temporaryPath, opened.db, opened.migration);
      try {
        opened.db.prepare("INSERT INTO workspace_meta (key, value) VALUES ('created_at', ?)").run(now());
        populate?.(building);
      } finally {
        building.close(); // the last connection: SQLite moves the WAL into the file and removes it
      }
    });
    return Workspace.open(path);
  }

  /** Runs `work` in one write transaction, started IMMEDIATE (see write-transaction.ts). */
  transaction<T>(work: () => T): T {
    return writeTransaction(this.db, work);
  }

  /** SQLite's own consistency check: "ok", or what it found. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
