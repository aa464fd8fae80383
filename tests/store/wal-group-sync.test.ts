// Group commit of the WAL on the event loop: every durable() asked for during one turn of the loop
// shares one sync, made after them; one asked for later gets a sync of its own, made after it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalGroupSync } from '../../main/store/wal-group-sync';
import { Workspace } from '../../main/store/workspace';

describe('WalGroupSync', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A database path whose WAL file exists (the sync itself is the test's). */
  function walOf() {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-wal-sync-'));
    dirs.push(dir);
    const path = join(dir, 'w.stepwise');
    writeFileSync(`${path}-wal`, '');
    return path;
  }

  it('makes one sync for every call of one turn of the loop, after all of them', async () => {
    const path = walOf();
    const events: string[] = [];
    const group = new WalGroupSync(path, () => void events.push('sync'));
    const calls = Array.from({ length: 10 }, (_, index) => {
      events.push(`call ${index}`);
      return group.durable().then(() => void events.push(`durable ${index}`));
    });
    expect(events).not.toContain('sync'); // nothing synced before the calls of this turn are in
    await Promise.all(calls);
    expect(events.filter((event) => event === 'sync')).toHaveLength(1);
    expect(events.indexOf('sync')).toBe(10);
    expect(group.syncs).toBe(1);
  });

  it('never lets a call made after a sync ride on it', async () => {
    const path = walOf();
    let synced = 0;
    const group = new WalGroupSync(path, () => void synced++);
    await group.durable();
    expect(synced).toBe(1);
    const later = group.durable();
    expect(synced).toBe(1);
    await later;
    expect(synced).toBe(2);
  });

  it('rejects the callers of a failed sync, and syncs afresh for the next', async () => {
    const path = walOf();
    let fail = true;
    const group = new WalGroupSync(path, () => {
      if (fail) throw new Error('EIO: the disk refused');
    });
    await expect(Promise.all([group.durable(), group.durable()])).rejects.toThrow('EIO');
    fail = false;
    await expect(group.durable()).resolves.toBeUndefined();
  });

  it('syncs the real WAL beside the database, and has nothing to sync before there is one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-wal-none-'));
    dirs.push(dir);
    const none = new WalGroupSync(join(dir, 'absent.stepwise'));
    await none.durable();
    expect(none.syncs).toBe(0);

    const path = join(dir, 'real.stepwise');
    Workspace.create(path).close();
    const workspace = Workspace.open(path, { activityDurability: 'relaxed' });
    const group = new WalGroupSync(path);
    try {
      await workspace.conversationStore.conversations.create({ kind: 'production', externalId: null });
      expect(existsSync(`${path}-wal`)).toBe(true);
      await group.durable(); // a real fdatasync of the WAL
      expect(group.syncs).toBe(1);
    } finally {
      group.close();
      workspace.close();
    }
  });
});
