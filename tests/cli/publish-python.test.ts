// `stepwise publish` checks a Procedure's Python in the sandbox, as `validate` does: a draft that
// imports `os` is refused with the line and the policy's words, and nothing goes live.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { useTempDir } from '../store/helpers';

const POLICY = "'os' can't be imported in a Procedure (Procedures can't use the operating system).";

describe('stepwise publish and the Python policy', () => {
  const tempDir = useTempDir();
  const run = async (dir: string, ...argv: string[]) => {
    const io = captureIo(dir);
    const code = await runCli(argv, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('refuses a draft or a file that imports os, naming the line; publishes a clean one', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    expect((await run(dir, 'workspace', 'init', 'shop.stepwise', '--example')).code).toBe(0);
    const path = join(dir, 'shop.stepwise');
    const workspace = Workspace.open(path);
    const original = workspace.procedures.require('Refund request').draftText;
    const withOs = original.replace('from datetime import date', 'import os\nfrom datetime import date');
    const line = withOs.split('\n').indexOf('import os') + 1;
    workspace.procedures.saveDraft('Refund request', withOs);
    workspace.close();

    // The draft as it is.
    const draft = await run(dir, 'publish', 'Refund request', '--workspace', 'shop.stepwise', '--force');
    expect(draft.code).toBe(1);
    expect(draft.out).toBe('');
    expect(draft.err).toContain(`stepwise publish failed: "Refund request" was not published: its draft has 1 error.\n  line ${line}: ${POLICY}`);

    // The same text from a file: refused, and not saved as the draft either.
    const clean = original.replace('Never promise a refund', 'Never, ever promise a refund');
    writeFileSync(join(dir, 'clean.md'), clean);
    writeFileSync(join(dir, 'os.md'), clean.replace('from datetime import date', 'import os\nfrom datetime import date'));
    const fromFile = await run(dir, 'publish', 'Refund request', '--workspace', 'shop.stepwise', '--from', 'os.md', '--force');
    expect(fromFile.code).toBe(1);
    expect(fromFile.err).toContain(`the text has 1 error. Nothing was saved.\n  line ${line}: ${POLICY}`);

    const reopened = Workspace.open(path, { readonly: true });
    try {
      expect(reopened.procedures.require('Refund request').draftText).toBe(withOs);
      expect(reopened.procedures.history('Refund request')).toHaveLength(1);
    } finally {
      reopened.close();
    }

    const published = await run(dir, 'publish', 'Refund request', '--workspace', 'shop.stepwise', '--from', 'clean.md', '--note', 'clearer', '--force');
    // Only the publish gate's warning (the example simulation never ran on this text), passed by --force.
    expect(published.err).toBe('Warning: 1 simulation of "Refund request" has not run on this text since it changed (or never ran): Damaged item becomes a claim.\n');
    expect(published.code).toBe(0);
    expect(published.out).toMatch(/^Published "Refund request" as version 2/);
  });
});
