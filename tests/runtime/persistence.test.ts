// Conversation state in the workspace: the history is appended, never rewritten, and histories
// saved inside the state by schema version 5 move to their own table.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../main/runtime/engine';
import type { ConversationState } from '../../main/runtime/types';
import { WorkspacePersistence } from '../../main/runtime/workspace-services';
import { openDatabase } from '../../main/store/database';
import { Workspace } from '../../main/store/workspace';
import { sqlOf } from '../store/sql';

/** A conversation's state one turn in, holding `history`. */
function state(id: number, history: unknown[]): ConversationState {
  return { ...initialState(id, new Date('2026-11-25T10:00:00.000Z')), turn: 1, history: history as ConversationState['history'] };
}

const message = (n: number) => ({ role: n % 2 ? 'assistant' : 'user', content: `message ${n}` });

describe('conversation persistence', () => {
  it('appends only the new history messages at each save, and reads them all back', async () => {
    const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-persist-')), 'w.stepwise'));
    const persistence = new WorkspacePersistence(workspace);
    const id = await persistence.create('preview');
    await persistence.saveTurn(id, state(id, [message(0), message(1)]), [], []);
    await persistence.saveTurn(id, state(id, [message(0), message(1), message(2), message(3)]), [], []);
    const rows = sqlOf(workspace).prepare('SELECT seq, message FROM conversation_history WHERE conversation_id = ? ORDER BY seq').all(id) as { seq: number; message: string }[];
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    const stored = JSON.parse(sqlOf(workspace).prepare('SELECT state FROM conversation_state WHERE conversation_id = ?').pluck().get(id) as string);
    expect(stored.history).toEqual([]);
    // A new instance (a restart) reads the whole history back, and carries on appending.
    const again = new WorkspacePersistence(workspace);
    expect((await again.load(id))!.history).toEqual([message(0), message(1), message(2), message(3)]);
    await again.saveTurn(id, state(id, [message(0), message(1), message(2), message(3), message(4)]), [], []);
    expect((await new WorkspacePersistence(workspace).load(id))!.history).toHaveLength(5);
    workspace.close();
  });

  it('stores the runtime status as it is: an escalation as escalated, not as a handoff, and a new topic re-opens', async () => {
    const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-persist-')), 'w.stepwise'));
    const persistence = new WorkspacePersistence(workspace);
    const stored = (id: number) => workspace.conversations.require(id);
    const escalated = await persistence.create('production');
    await persistence.saveTurn(escalated, { ...state(escalated, []), status: 'escalated' }, [], []);
    expect(stored(escalated)).toMatchObject({ status: 'escalated', endedAt: expect.any(String) });
    const handedOff = await persistence.create('production');
    await persistence.saveTurn(handedOff, { ...state(handedOff, []), status: 'handed_off' }, [], []);
    expect(stored(handedOff).status).toBe('handed_off');
    const reopened = await persistence.create('preview');
    await persistence.saveTurn(reopened, { ...state(reopened, []), status: 'ended' }, [], []);
    expect(stored(reopened).status).toBe('ended');
    await persistence.saveTurn(reopened, { ...state(reopened, []), status: 'waiting' }, [], []);
    expect(stored(reopened)).toMatchObject({ status: 'waiting', endedAt: null });
    expect((await persistence.load(escalated))!.status).toBe('escalated');
    workspace.close();
  });

  it('moves a history saved inside the state by schema version 5 into its own table', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'stepwise-persist-')), 'old.stepwise');
    const old = openDatabase(path, { create: true, targetVersion: 7 }).db;
    old.prepare("INSERT INTO conversations (id, kind, started_at) VALUES (1, 'preview', 't')").run();
    old.prepare("INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES (1, ?, 't')").run(JSON.stringify(state(1, [message(0), message(1), message(2)])));
    old.close();
    const workspace = Workspace.open(path);
    expect(workspace.migration.from).toBe(7);
    const loaded = (await new WorkspacePersistence(workspace).load(1))!;
    expect(loaded.history).toEqual([message(0), message(1), message(2)]);
    const stored = JSON.parse(sqlOf(workspace).prepare('SELECT state FROM conversation_state WHERE conversation_id = 1').pluck().get() as string);
    expect(stored.history).toEqual([]);
    workspace.close();
  });
});
