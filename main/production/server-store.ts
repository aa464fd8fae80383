// Where a server keeps its conversations: the embedded SQLite file (one process, zero set-up) or
// PostgreSQL (several instances behind a load balancer). Either way the server talks to the same
// ports: a ConversationStore (with its per-conversation lock) and the ProductionRepository. The
// knowledge hub of the loaded bundles is searched in a local SQLite file: the SQLite database
// itself, or a temporary one per instance on PostgreSQL (it is rebuilt from the bundles at start).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PostgresConversationStore } from '../store/postgres/conversation-store';
import type { ProductionRepository } from '../store/production';
import type { ConversationStore } from '../store/repositories';
import { WalGroupSync, type FileSync } from '../store/wal-group-sync';
import { Workspace } from '../store/workspace';

export interface ServerStore {
  kind: 'sqlite' | 'postgres';
  conversations: ConversationStore;
  production: ProductionRepository;
  /** The local SQLite file the engine searches knowledge in (and reads its settings from). */
  local: Workspace;
  /**
   * Resolves once every commit made so far is on disk: a turn's answer waits for it. SQLite with
   * full durability syncs its WAL here, once for all the turns that committed meanwhile (group
   * commit, store/wal-group-sync.ts); PostgreSQL and relaxed SQLite are durable at commit already.
   */
  durable(): Promise<void>;
  /** SQLite at full durability: the group sync behind `durable` (its count of syncs). */
  groupSync?: WalGroupSync | null;
  close(): Promise<void>;
}

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

export async function openServerStore(database: string, options: { durability?: 'full' | 'relaxed'; fileSync?: FileSync } = {}): Promise<ServerStore> {
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
      durable: () => Promise.resolve(),
      async close() {
        await store.close();
        local.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  // Created on first start. By default ('full') no turn is answered before its commit is on disk,
  // so a power cut loses no answered turn: activity commits at synchronous=NORMAL and each answer
  // awaits one fsync of the WAL shared by the commits of one turn of the event loop (a commit at
  // FULL would fsync once per commit, stalling every conversation for the disk each time).
  // 'relaxed' skips that fsync: it survives any crash of the process, not a power cut.
  if (!existsSync(database)) Workspace.create(database).close();
  const workspace = Workspace.open(database, { activityDurability: 'relaxed' });
  const group = (options.durability ?? 'full') === 'full' ? new WalGroupSync(resolve(database), options.fileSync) : null;
  return {
    kind: 'sqlite',
    conversations: workspace.conversationStore,
    production: workspace.production,
    local: workspace,
    durable: () => group?.durable() ?? Promise.resolve(),
    groupSync: group,
    async close() {
      group?.close();
      workspace.close();
    },
  };
}
