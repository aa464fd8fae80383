// Where a server keeps its conversations: the embedded SQLite file (one process, zero set-up) or
// PostgreSQL (several instances behind a load balancer). Either way the server talks to the same
// ports: a ConversationStore (with its per-conversation lock) and the ProductionRepository. The
// knowledge hub of the loaded bundles is searched in a local SQLite file: the SQLite database
// itself, or a temporary one per instance on PostgreSQL (it is rebuilt from the bundles at start).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeTarget, parsePostgresUrl } from '../store/postgres/connection';
import { PostgresConversationStore } from '../store/postgres/conversation-store';
import { ensurePrivateFolder } from '../store/private-files';
import type { ProductionRepository } from '../store/production';
import type { ConversationStore } from '../store/repositories';
import { Workspace } from '../store/workspace';

export interface ServerStore {
  kind: 'sqlite' | 'postgres';
  conversations: ConversationStore;
  production: ProductionRepository;
  /** The local SQLite file the engine searches knowledge in (and reads its settings from). */
  local: Workspace;
  close(): Promise<void>;
}

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** The database for messages: a PostgreSQL URL as the store names it in its own messages (never its password), a file as given. */
export function describeDatabase(database: string): string {
  return isPostgresUrl(database) ? `postgres://${describeTarget(parsePostgresUrl(database))}` : database;
}

export async function openServerStore(database: string, options: { durability?: 'full' | 'relaxed' } = {}): Promise<ServerStore> {
  if (isPostgresUrl(database)) {
    const store = await PostgresConversationStore.open({ url: database });
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-server-'));
    let local: Workspace;
    try {
      local = Workspace.create(join(dir, 'knowledge.stepwise'));
    } catch (error) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return {
      kind: 'postgres',
      conversations: store,
      production: store.production,
      local,
      async close() {
        await store.close();
        local.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  // Created on first start. By default ('full') every commit is made at synchronous=FULL: the WAL
  // is synced before the commit returns, so no turn is answered before it is on disk and a power
  // cut loses no answered turn. 'relaxed' (synchronous=NORMAL) skips that fsync: it survives any
  // crash of the process, not a power cut (store/durability.ts). A group commit (one fsync shared
  // by the commits of one turn of the event loop) was measured against this and removed: it
  // answered later (the answer waited for the end of the loop's turn) and won throughput only on
  // a machine far past its cores (docs/production.md, Figures).
  // A folder and file Stepwise creates are its owner's alone (0700, 0600): they hold transcripts
  // and key hashes. An existing folder is left as the operator made it (the server warns).
  if (!existsSync(database)) {
    ensurePrivateFolder(dirname(database));
    Workspace.create(database).close();
  }
  const workspace = Workspace.open(database, { activityDurability: options.durability ?? 'full' });
  return {
    kind: 'sqlite',
    conversations: workspace.conversationStore,
    production: workspace.production,
    local: workspace,
    async close() {
      workspace.close();
    },
  };
}
