// A workspace: one SQLite file holding everything a team authors and runs.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { KnowledgeSearch } from '../knowledge/search';
import { ConnectorGrantRepository } from './connector-grants';
import { ConnectorRepository } from './connectors';
import { ConversationRepository } from './conversations';
import { openDatabase, type OpenOptions, type OpenedDatabase } from './database';
import { WorkspaceError } from './errors';
import { now } from './hash';
import { KeyRepository } from './keys';
import { KnowledgeRepository } from './knowledge';
import { ProcedureRepository } from './procedures';
import { SettingsRepository } from './settings';
import { SimulationRepository } from './simulations';
import { TeamRepository } from './teams';
import { TraceRepository } from './traces';
import { WorldRepository } from './worlds';

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

  /** Creates a new, empty workspace; refuses to touch a file that is already there. */
  static create(path: string): Workspace {
    if (existsSync(path)) throw new WorkspaceError(`${path} already exists; choose another file name or remove it first.`, 'exists', path);
    const opened = openDatabase(path, { create: true });
    opened.db.prepare("INSERT INTO workspace_meta (key, value) VALUES ('created_at', ?)").run(now());
    return new Workspace(path, opened.db, opened.migration);
  }

  /** Runs `work` in one write transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** SQLite's own consistency check: "ok", or what it found. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
