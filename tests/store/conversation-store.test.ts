// The ConversationStore contract on the workspace's SQLite file, and what is particular to SQLite:
// a unit of work may await only its repositories, and activity commits at the chosen durability.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Workspace } from '../../main/store/workspace';
import { describeConversationStore } from './contract/conversation-store';
import { describeProductionRepository } from './contract/production-repository';
import { procedureText, useTempDir } from './helpers';
import { sqlOf } from './sql';

const tempDir = useTempDir();

describeConversationStore('SQLite workspace', async () => {
  const workspace = Workspace.create(join(tempDir(), 'contract.stepwise'));
  return { store: workspace.conversationStore, close: async () => workspace.close() };
});

describeProductionRepository('SQLite workspace', async () => {
  const workspace = Workspace.create(join(tempDir(), 'production.stepwise'));
  return { store: workspace.conversationStore, production: workspace.production, close: async () => workspace.close() };
});

describe('SQLite conversation store', () => {
  it('runs units of work one at a time (they share the workspace\'s one connection)', async () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      const steps: string[] = [];
      const unit = (name: string) =>
        workspace.unitOfWork(async (repos) => {
          steps.push(`${name} begins`);
          await repos.conversations.create({ kind: 'preview' });
          await repos.conversations.list();
          steps.push(`${name} ends`);
        });
      await Promise.all([unit('A'), unit('B')]);
      expect(steps).toEqual(['A begins', 'A ends', 'B begins', 'B ends']);
    } finally {
      workspace.close();
    }
  });

  it('rolls back a unit of work that awaits something other than its repositories, and says why', async () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      let outside: unknown = null;
      // While the unit waits, another part of the app writes: refused, rather than mixed into the
      // open unit (and lost with its rollback).
      setTimeout(() => {
        try {
          workspace.procedures.create(procedureText('Meanwhile'));
        } catch (error) {
          outside = error;
        }
      }, 5);
      const unit = workspace.unitOfWork(async (repos) => {
        await repos.conversations.create({ kind: 'preview' });
        await new Promise((resolve) => setTimeout(resolve, 30));
      });
      await expect(unit).rejects.toThrow(/waited for something other than its repositories/);
      expect(String(outside)).toMatch(/in the middle of a unit of work/);
      expect(workspace.procedures.get('Meanwhile')).toBeNull();
      workspace.procedures.create(procedureText('Meanwhile'));
      expect(workspace.procedures.get('Meanwhile')).not.toBeNull();
      expect(await workspace.conversationStore.conversations.list()).toEqual([]);
      // The connection is usable afterwards: the transaction was closed.
      await workspace.unitOfWork(async (repos) => repos.conversations.create({ kind: 'preview' }));
      expect(await workspace.conversationStore.conversations.list()).toHaveLength(1);
    } finally {
      workspace.close();
    }
  });

  it('commits activity at the workspace durability and everything else at FULL', async () => {
    const path = join(tempDir(), 'w.stepwise');
    Workspace.create(path).close();
    const FULL = 2;
    const NORMAL = 1;
    for (const [durability, during] of [
      ['relaxed', NORMAL],
      ['full', FULL],
    ] as const) {
      const workspace = Workspace.open(path, { activityDurability: durability });
      try {
        const sql = sqlOf(workspace);
        expect(await workspace.unitOfWork(async () => sql.pragma('synchronous', { simple: true }))).toBe(during);
        expect(workspace.recordActivity(() => sql.pragma('synchronous', { simple: true }))).toBe(during);
        expect(sql.pragma('synchronous', { simple: true })).toBe(FULL);
        expect(workspace.transaction(() => sql.pragma('synchronous', { simple: true }))).toBe(FULL);
        // A conversation's first commit (its creation) is activity too, not only its turns.
        const spy = vi.spyOn(sql, 'pragma');
        await workspace.conversationStore.conversations.create({ kind: 'production' });
        const set = spy.mock.calls.map(([source]) => source).filter((source) => source.startsWith('synchronous ='));
        spy.mockRestore();
        expect(set).toEqual(durability === 'relaxed' ? ['synchronous = NORMAL', 'synchronous = FULL'] : []);
        // A failed activity write leaves the connection at FULL too.
        expect(() => workspace.recordActivity(() => { throw new Error('no'); })).toThrow('no');
        expect(sql.pragma('synchronous', { simple: true })).toBe(FULL);
      } finally {
        workspace.close();
      }
    }
  });

  it('keeps the connection private to the store', () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      // @ts-expect-error Workspace.db is private: only main/store/ knows SQL.
      expect(workspace.db).toBeDefined();
    } finally {
      workspace.close();
    }
  });
});
