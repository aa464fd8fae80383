import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { finished, startScript } from './child';
import { publishText } from './fixtures/publish-texts';
import { useTempDir } from './helpers';
import { sqlOf } from './sql';

const writerScript = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const publisherScript = fileURLToPath(new URL('./fixtures/publisher.ts', import.meta.url));

describe('reliability', () => {
  const tempDir = useTempDir();

  it('keeps every committed write when the writing process is killed with SIGKILL', async () => {
    const path = join(tempDir(), 'crash.stepwise');
    Workspace.create(path).close();
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let conversation = 0;
    let lastCommitted = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const [word, number] = line.split(' ');
          if (word === 'conversation') conversation = Number(number);
          if (word === 'committed') lastCommitted = Number(number);
        }
        // Kill it well into the stream, while it is writing.
        if (lastCommitted >= 10_000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => (lastCommitted >= 10_000 ? resolve() : reject(new Error(`writer exited early: ${stderr}`))));
    });
    expect(await exit).toBe('SIGKILL');

    const workspace = Workspace.open(path);
    expect(workspace.integrityCheck()).toEqual(['ok']);
    const stored = workspace.traces.count(conversation);
    // Everything reported as committed is there (and at most the batch in flight beyond it).
    expect(stored).toBeGreaterThanOrEqual(lastCommitted);
    const seqs = sqlOf(workspace).prepare('SELECT seq FROM trace_events WHERE conversation_id = ? ORDER BY seq').pluck().all(conversation) as number[];
    expect(seqs.slice(0, lastCommitted)).toEqual(Array.from({ length: lastCommitted }, (_, index) => index + 1));
    expect(stored % 50).toBe(0); // whole batches only: no half-written transaction
    workspace.close();
  });

  it('leaves, after a `publish --from` killed at any moment, either that exact text published or nothing changed', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    expect(await runCli(['workspace', 'init', path, '--example'], captureIo(dir))).toBe(0);
    let published = 0; // rounds whose text is live, as the workspace says after each kill
    for (let kill = 0; kill < 8; kill++) {
      const child = startScript(publisherScript, [path, String(published + 1)]);
      const done = finished(child);
      let reported = published;
      let scheduled = false;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) if (line.startsWith('published ')) reported = Math.max(reported, Number(line.slice(10)));
          // Once it is publishing (its modules loaded), kill it at a random moment of the loop.
          if (reported > published && !scheduled) {
            scheduled = true;
            setTimeout(() => (child.kill('SIGKILL'), resolve()), Math.random() * 300);
          }
        });
        child.on('exit', () => (child.killed ? resolve() : reject(new Error('the publisher exited on its own'))));
      });
      const exit = await done;
      expect(exit.signal, exit.stderr).toBe('SIGKILL');

      const workspace = Workspace.open(path);
      try {
        expect(workspace.integrityCheck()).toEqual(['ok']);
        const rounds = workspace.procedures
          .history('Refund request')
          .filter((version) => version.note.startsWith('text '))
          .reverse();
        // Every version is exactly the text its note names, in order, with none missing.
        rounds.forEach((version, index) => {
          expect(version.note).toBe(`text ${index + 1}`);
          expect(workspace.procedures.version('Refund request', version.version).text).toBe(publishText(index + 1));
        });
        expect(rounds.length).toBeGreaterThanOrEqual(reported);
        expect(rounds.length).toBeLessThanOrEqual(reported + 1);
        // The command in flight either published its text, or changed nothing: never a draft
        // saved without its version.
        const record = workspace.procedures.require('Refund request');
        expect(record.live!.contentHash).toBe(record.draftHash);
        published = rounds.length;
      } finally {
        workspace.close();
      }
    }
  });

  it('does not block readers while a writer holds a large open transaction', () => {
    const path = join(tempDir(), 'wal.stepwise');
    const writer = Workspace.create(path);
    const conversation = writer.conversations.create({ kind: 'preview' }).id;
    writer.traces.append(conversation, [{ type: 'start' }]);
    const reader = new Database(path, { readonly: true });
    reader.pragma('busy_timeout = 0'); // any lock would fail at once instead of waiting
    sqlOf(writer).pragma('cache_size = 10'); // force the open transaction to spill pages to disk
    sqlOf(writer).exec('BEGIN IMMEDIATE');
    const insert = sqlOf(writer).prepare("INSERT INTO trace_events (conversation_id, seq, at, type, payload) VALUES (?, ?, 't', 'bulk', ?)");
    for (let seq = 2; seq < 5000; seq++) insert.run(conversation, seq, 'y'.repeat(500));
    const started = performance.now();
    expect(reader.prepare('SELECT count(*) FROM trace_events').pluck().get()).toBe(1); // the last committed state
    expect(performance.now() - started).toBeLessThan(100);
    sqlOf(writer).exec('COMMIT');
    expect(reader.prepare('SELECT count(*) FROM trace_events').pluck().get()).toBe(4999);
    reader.close();
    writer.close();
  });

  it('(control) the same reader IS blocked in rollback-journal mode, so the test above can fail', () => {
    const path = join(tempDir(), 'journal.sqlite');
    const writer = new Database(path);
    writer.pragma('journal_mode = DELETE');
    writer.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('a')");
    const reader = new Database(path, { readonly: true });
    reader.pragma('busy_timeout = 0');
    writer.pragma('cache_size = 10');
    writer.exec('BEGIN IMMEDIATE');
    const insert = writer.prepare('INSERT INTO t VALUES (?)');
    for (let index = 0; index < 5000; index++) insert.run('y'.repeat(500));
    expect(() => reader.prepare('SELECT count(*) FROM t').pluck().get()).toThrow(/locked|busy/i);
    writer.exec('COMMIT');
    reader.close();
    writer.close();
  });
});
