// Several processes writing one workspace at once: each publishes exactly its own text, and a
// write waits out another program's lock instead of failing at once.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEngine } from '../../main/app/engine';
import { runCli } from '../../main/cli/run';
import { importKnowledge } from '../../main/knowledge/import';
import { createPythonSandbox } from '../../main/sandbox';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../../main/secrets/encrypted-file-store';
import { WorkspaceError } from '../../main/store/errors';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { holdWriteLock, runCliAt } from './child';
import { catchError, useTempDir } from './helpers';

const refundText = readFileSync(new URL('../../examples/refund-request.md', import.meta.url), 'utf8');
const writerText = (writer: number, round: number) => refundText.replace('Never promise a refund', `Writer ${writer} (round ${round}) never promises a refund`);
/** Without Python: publish checks Python before its transaction, in a sandbox that takes seconds to start, which would spread the writers apart. */
const plainWriterText = (writer: number, round: number) =>
  `---\nname: Refund request\ntrigger: The customer asks for a refund.\n---\n\n## Listen\nWriter ${writer} (round ${round}) never promises a refund.\n\n## Close\nThank the customer. @end\n`;

describe('concurrent writers', () => {
  const tempDir = useTempDir();

  async function exampleWorkspace() {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    expect(await runCli(['workspace', 'init', path, '--example'], captureIo(dir))).toBe(0);
    return { dir, path };
  }

  it('four `publish --from` processes at once each publish their own text under their own note', { timeout: 120_000 }, async () => {
    const { dir, path } = await exampleWorkspace();
    const rounds = 2;
    for (let round = 1; round <= rounds; round++) {
      const writers = [1, 2, 3, 4];
      for (const writer of writers) writeFileSync(join(dir, `p${writer}-${round}.md`), plainWriterText(writer, round));
      // Each process loads first, then all four start the command in the same millisecond.
      const at = Date.now() + 4000;
      const results = await Promise.all(
        writers.map((writer) => runCliAt(at, ['publish', 'Refund request', '--workspace', path, '--from', join(dir, `p${writer}-${round}.md`), '--note', `writer ${writer} round ${round}`, '--force'])),
      );
      for (const result of results) {
        // --force publishes despite the publish gate, whose warnings stay on stderr; nothing else may.
        expect(withoutGateWarnings(result.stderr)).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^Published "Refund request" as version \d+/);
      }
    }
    const workspace = Workspace.open(path, { readonly: true });
    try {
      const published = workspace.procedures.history('Refund request').filter((version) => version.note.startsWith('writer'));
      expect(published).toHaveLength(4 * rounds);
      for (const version of published) {
        const [, writer, round] = /^writer (\d) round (\d)$/.exec(version.note)!;
        // The text published under "writer N" is writer N's file, byte for byte.
        expect(workspace.procedures.version('Refund request', version.version).text, `version ${version.version} (${version.note})`).toBe(plainWriterText(Number(writer), Number(round)));
      }
    } finally {
      workspace.close();
    }
  });

  it('publish and knowledge import wait for another program that holds the write lock for a second, then succeed', async () => {
    const { dir, path } = await exampleWorkspace();
    mkdirSync(join(dir, 'kb'));
    writeFileSync(join(dir, 'kb', 'gift-cards.md'), '# Gift cards\nThey never expire.\n');
    const workspace = Workspace.open(path);
    try {
      workspace.procedures.saveDraft('Refund request', writerText(1, 1));

      const teams = () => workspace.teams.list().map((team) => team.name);
      let lock = await holdWriteLock(path, 1000, 'First holder');
      expect(teams()).not.toContain('First holder'); // not committed while it holds the lock
      const version = workspace.procedures.publish('Refund request', { note: 'after the lock' });
      expect(version.note).toBe('after the lock');
      // It published after the other program committed: it waited for the lock.
      expect(teams()).toContain('First holder');
      expect((await lock.released).code).toBe(0);

      lock = await holdWriteLock(path, 1000, 'Second holder');
      const report = importKnowledge(workspace.knowledge, join(dir, 'kb'));
      expect(report.created).toBe(1);
      expect(teams()).toContain('Second holder');
      expect((await lock.released).code).toBe(0);
    } finally {
      workspace.close();
    }
  });

  it('a lock held past the busy timeout fails with a clear "locked" error, in the store and the API, and changes nothing', { timeout: 60_000 }, async () => {
    const { dir, path } = await exampleWorkspace();
    mkdirSync(join(dir, 'kb'));
    writeFileSync(join(dir, 'kb', 'gift-cards.md'), '# Gift cards\nThey never expire.\n');
    const workspace = Workspace.open(path, { busyTimeoutMs: 300 });
    const engine = startEngine({
      workspace,
      mode: 'browser',
      settings: { secrets: new EncryptedFileSecretStore(defaultSecretLocation(path, {})), secretStoreLabel: 'test file' },
      // Publishing checks the draft's Python in the sandbox before its transaction.
      startSandbox: async () => createPythonSandbox({ poolSize: 1 }),
      log: () => {},
    });
    try {
      // Started before the lock is taken, so the wait measured below is the lock's, not Python's start.
      expect(await engine.dispatch('language.checkPython', { snippets: [{ mode: 'code', code: 'total = 1' }] })).toEqual({ ok: true, value: [[]] });
      const draft = workspace.procedures.saveDraft('Refund request', writerText(1, 1));
      const versionsBefore = workspace.procedures.history('Refund request').length;
      const lock = await holdWriteLock(path, 4000);

      let started = performance.now();
      const error = catchError(() => workspace.procedures.publish('Refund request', { note: 'blocked' }));
      expect(performance.now() - started).toBeGreaterThan(250); // it waited the whole timeout, not 3 ms
      expect(error).toBeInstanceOf(WorkspaceError);
      expect((error as WorkspaceError).code).toBe('locked');
      expect(error.message).toBe(`${path} is locked: another program kept writing to it for more than 300 ms, so nothing was changed. Try again when it is done, or close it there.`);

      started = performance.now();
      const importError = catchError(() => importKnowledge(workspace.knowledge, join(dir, 'kb')));
      expect(performance.now() - started).toBeGreaterThan(250);
      expect((importError as WorkspaceError).code).toBe('locked');

      const result = await engine.dispatch('procedures.publish', { name: 'Refund request', note: 'blocked', expectedHash: draft.draftHash });
      expect(result).toEqual({ ok: false, error: { code: 'locked', message: expect.stringMatching(/is locked: another program kept writing to it for more than 300 ms/) } });
      expect(JSON.stringify(result)).not.toContain('    at ');

      expect((await lock.released).code).toBe(0);
      expect(workspace.procedures.history('Refund request')).toHaveLength(versionsBefore);
      expect(workspace.knowledge.findByTitle('Gift cards')).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('the command line waits its 5 s, then says the workspace is locked instead of failing with a stack', { timeout: 60_000 }, async () => {
    const { dir, path } = await exampleWorkspace();
    writeFileSync(join(dir, 'p.md'), plainWriterText(1, 1));
    const lock = await holdWriteLock(path, 8000);
    const io = captureIo(dir);
    const started = performance.now();
    const code = await runCli(['publish', 'Refund request', '--workspace', path, '--from', 'p.md', '--force'], io);
    expect(performance.now() - started).toBeGreaterThan(4500);
    expect(code).toBe(1);
    expect(withoutGateWarnings(io.stderr())).toBe(`stepwise publish failed: ${path} is locked: another program kept writing to it for more than 5 s, so nothing was changed. Try again when it is done, or close it there.\n`);
    await lock.released;
    const workspace = Workspace.open(path, { readonly: true });
    expect(workspace.procedures.history('Refund request')).toHaveLength(1);
    workspace.close();
  });
});

/** stderr less the publish gate's warning lines (the example's simulations have not run on the new text). */
function withoutGateWarnings(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !line.startsWith('Warning: '))
    .join('\n');
}
