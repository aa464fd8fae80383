// The ordered list of migrations and the runner. Migrations only ever go forward: a file whose
// schema is newer than this build knows is refused rather than guessed at.
import type Database from 'better-sqlite3';
import { procedures } from './001-procedures';
import { knowledge } from './002-knowledge';
import { connectorsAndKeys } from './003-connectors-and-keys';
import { runs } from './004-runs';
import { conversationStateAndSettings } from './005-conversation-state-and-settings';
import { mockWorlds } from './006-mock-worlds';
import { simulationResults } from './007-simulation-results';
import { conversationHistory } from './008-conversation-history';
import { connectorGrants } from './009-connector-grants';
import { conversationStatus } from './010-conversation-status';
import { productionServer } from './011-production-server';
import { teamHandoffNotes } from './012-team-handoff-notes';
import { bundleSets } from './013-bundle-sets';
import type { Migration } from './migration';

export type { Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [procedures, knowledge, connectorsAndKeys, runs, conversationStateAndSettings, mockWorlds, simulationResults, conversationHistory, connectorGrants, conversationStatus, productionServer, teamHandoffNotes, bundleSets];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs every migration above the file's version, up to `target`, each in its own transaction
 * together with the version bump, so a crash leaves the file at one version or the next.
 * Returns the versions that ran.
 */
export function migrate(db: Database.Database, target: number = LATEST_VERSION): number[] {
  const ran: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version > target) break;
    // IMMEDIATE, and the version read inside it: another process opening the same old file at
    // the same time waits for this one instead of failing, then finds the migration done.
    // foreign_keys can only change outside a transaction.
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (migration.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      const applied = db.transaction(() => {
        if (migration.version <= schemaVersion(db)) return false;
        db.exec(migration.sql);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as { table: string }[];
          if (broken.length > 0) throw new Error(`Migration ${migration.version} (${migration.name}) would leave ${broken.length} row(s) of ${broken[0]!.table} pointing at nothing; nothing was changed.`);
        }
        db.pragma(`user_version = ${migration.version}`);
        return true;
      }).immediate();
      if (applied) ran.push(migration.version);
    } finally {
      if (migration.rebuildsTables) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
  }
  return ran;
}
