// Group commit of the WAL: a caller's durable() resolves only after a sync that began after the
// call, so it covers the caller's commit; callers arriving while a sync runs share the next one.
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keptFileSync, syncFile, WalGroupSync } from '../../main/store/wal-group-sync';
import { Workspace } from '../../main/store/workspace';

/** A sync that waits until the test releases it, recording which file it was given. */
function heldSyncs() {
  const pending: { file: string; release: () => void; fail: (error: Error) => void }[] = [];
  const sync = (file: string) => new Promise<void>((resolve, reject) => pending.push({ file, release: resolve, fail: reject }));
  return { sync, pending };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('WalGroupSync', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('syncs the WAL beside the database file', async () => {
    const { sync, pending } = heldSyncs();
    const group = new WalGroupSync('/data/server.sqlite', sync);
    const durable = group.durable();
    expect(pending.map((entry) => entry.file)).toEqual(['/data/server.sqlite-wal']);
    pending[0]!.release();
    await durable;
  });

  it('never lets a caller ride on a sync that began before its call', async () => {
    const { sync, pending } = heldSyncs();
    const group = new WalGroupSync('db', sync);
    const first = group.durable();
    const second = group.durable(); // its commit may be after the first sync began
    pending[0]!.release();
    await first;
    expect(await settled(second)).toBe(false);
    expect(pending).toHaveLength(2);
    pending[1]!.release();
    await second;
    expect(group.syncs).toBe(2);
  });

  it('gives every caller arriving during one sync the same next sync', async () => {
    const { sync, pending } = heldSyncs();
    const group = new WalGroupSync('db', sync);
    const first = group.durable();
    const waiting = Array.from({ length: 10 }, () => group.durable());
    expect(pending).toHaveLength(1);
    pending[0]!.release();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending).toHaveLength(2);
    expect(await settled(Promise.all(waiting))).toBe(false);
    pending[1]!.release();
    await Promise.all(waiting);
    expect(group.syncs).toBe(2);
  });

  it('rejects the callers of a failed sync and syncs afresh for the next', async () => {
    const { sync, pending } = heldSyncs();
    const group = new WalGroupSync('db', sync);
    const failing = group.durable();
    pending[0]!.fail(new Error('EIO'));
    await expect(failing).rejects.toThrow('EIO');
    const next = group.durable();
    expect(pending).toHaveLength(2);
    pending[1]!.release();
    await next;
  });

  it('syncs a real WAL file, and takes a missing one for one with nothing to sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-wal-sync-'));
    dirs.push(dir);
    await expect(syncFile(join(dir, 'absent.sqlite-wal'))).resolves.toBeUndefined();
    const path = join(dir, 'w.stepwise');
    Workspace.create(path).close();
    const workspace = Workspace.open(path, { activityDurability: 'relaxed' });
    try {
      await workspace.conversationStore.conversations.create({ kind: 'production', externalId: null });
      const group = new WalGroupSync(path);
      await group.durable();
      expect(group.syncs).toBe(1);
      // The WAL was there: the sync was a real fdatasync, not the missing-file case.
      expect(existsSync(`${path}-wal`)).toBe(true);
    } finally {
      workspace.close();
    }
  });

  it('keeps one descriptor across syncs, opening it once the WAL exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-wal-kept-'));
    dirs.push(dir);
    const file = join(dir, 'db-wal');
    const sync = keptFileSync();
    try {
      await sync(file); // not there yet: nothing to sync, and nothing kept open
      writeFileSync(file, 'frames');
      await sync(file);
      // Kept open: the name now leads nowhere openable (a symlink to itself), and the kept
      // descriptor still syncs; opening afresh would fail with ELOOP.
      rmSync(file);
      symlinkSync('db-wal', file);
      await expect(sync(file)).resolves.toBeUndefined();
      await expect(syncFile(file)).rejects.toThrow(/ELOOP/);
    } finally {
      await sync.close();
    }
    // Closed: the next sync opens afresh.
    await expect(sync(file)).rejects.toThrow(/ELOOP/);
  });
});
