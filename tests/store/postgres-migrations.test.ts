// PostgreSQL migrations run once, safely, when several instances start together: one applies them
// under the migration lock, the others wait and find them done. A migration that fails keeps
// nothing, and a database a newer Stepwise migrated is refused.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { migratePostgres, POSTGRES_LATEST_VERSION, POSTGRES_MIGRATIONS, postgresSchemaVersions, type PostgresMigration } from '../../main/store/postgres/migrations';
import { usePostgres } from '../support/postgres';

const postgres = usePostgres();

async function withPools<T>(url: string, count: number, work: (pools: pg.Pool[]) => Promise<T>): Promise<T> {
  const pools = Array.from({ length: count }, () => new pg.Pool({ connectionString: url, max: 2 }));
  // A connection the test cluster ends at teardown must not surface as an uncaught error.
  for (const pool of pools) pool.on('error', () => undefined);
  try {
    return await work(pools);
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
}

const tables = async (pool: pg.Pool) =>
  (await pool.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).rows.map((row) => row.name);

describe('PostgreSQL migrations', () => {
  it('run once when eight instances start together on an empty database', async () => {
    const url = await postgres.createDatabase();
    await withPools(url, 8, async (pools) => {
      const ran = await Promise.all(pools.map((pool) => migratePostgres(pool)));
      // Exactly one instance applied each migration; the others found it done.
      expect(ran.flat().sort((a, b) => a - b)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
      expect(ran.filter((versions) => versions.length > 0)).toHaveLength(1);
      expect(await postgresSchemaVersions(pools[0]!)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
      expect(await tables(pools[0]!)).toEqual([
        'api_keys', 'bundle_set_procedures', 'bundled_procedures', 'conversation_history', 'conversation_state', 'conversations', 'idempotency_records', 'messages', 'production_conversations', 'schema_migrations', 'trace_events', 'webhook_outbox',
      ]);
      // Started again, nothing runs.
      expect(await migratePostgres(pools[3]!)).toEqual([]);
    });
  });

  it('let stores open side by side on a new database and all serve it', async () => {
    const url = await postgres.createDatabase();
    const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresConversationStore.open({ url, poolSize: 2, lockPoolSize: 2 })));
    try {
      const created = await Promise.all(stores.map((store) => store.conversations.create({ kind: 'production' })));
      expect(new Set(created.map((conversation) => conversation.id)).size).toBe(5);
      expect(await stores[4]!.conversations.list()).toHaveLength(5);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('keep nothing of a migration that fails, and apply it once it is fixed', async () => {
    const url = await postgres.createDatabase();
    const broken: PostgresMigration = { version: POSTGRES_LATEST_VERSION + 1, name: 'notes', sql: 'CREATE TABLE notes (id int); INSERT INTO nowhere VALUES (1);' };
    await withPools(url, 1, async ([pool]) => {
      await expect(migratePostgres(pool!, [...POSTGRES_MIGRATIONS, broken])).rejects.toThrow(
        new RegExp(`PostgreSQL migration ${broken.version} \\(notes\\) failed, and nothing of it was kept: relation "nowhere" does not exist`),
      );
      expect(await postgresSchemaVersions(pool!)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
      expect(await tables(pool!)).not.toContain('notes');
      // The lock was let go: the fixed migration runs.
      const fixed = { ...broken, sql: 'CREATE TABLE notes (id int);' };
      expect(await migratePostgres(pool!, [...POSTGRES_MIGRATIONS, fixed])).toEqual([fixed.version]);
      expect(await tables(pool!)).toContain('notes');
    });
  });

  it('refuse a database a newer Stepwise migrated, naming both versions, and change nothing', async () => {
    const url = await postgres.createDatabase();
    await withPools(url, 1, async ([pool]) => {
      await migratePostgres(pool!);
      await pool!.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
    });
    await expect(PostgresConversationStore.open({ url })).rejects.toThrow(
      new RegExp(`schema version 999, made by a newer Stepwise; this one knows up to version ${POSTGRES_LATEST_VERSION}`),
    );
    await withPools(url, 1, async ([pool]) => {
      expect(await postgresSchemaVersions(pool!)).toEqual([...POSTGRES_MIGRATIONS.map((migration) => migration.version), 999]);
      expect(await pool!.query('SELECT count(*) FROM conversations')).toMatchObject({ rows: [{ count: '0' }] });
    });
  });
});
