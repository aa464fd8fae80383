// Command-line input that used to slip through or crash: a Procedure name with a control character,
// and a folder given to validate (which printed "EISDIR: illegal operation on a directory, read").
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { examplesDir } from '../support/paths';
import { useTempDir } from '../store/helpers';

const tempDir = useTempDir();
const run = async (dir: string, ...argv: string[]) => {
  const io = captureIo(dir);
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe('a Procedure name with a control character', () => {
  it('is refused by publish --from with a clear message, and nothing is saved', async () => {
    const dir = tempDir();
    expect((await run(dir, 'workspace', 'init', 'w.stepwise', '--example')).code).toBe(0);
    writeFileSync(join(dir, 'nul.md'), '---\nname: "Gift\\0card balance"\ntrigger: The customer asks about a gift card.\n---\n\n## Answer\nTell the customer the balance.\n');
    const published = await run(dir, 'publish', 'Gift card balance', '--workspace', 'w.stepwise', '--from', 'nul.md', '--force');
    expect(published.code).toBe(1);
    expect(published.err).toContain('The Procedure name "Gift\\u{0}card balance" contains a control character (U+0000 at character 5)');
    const listed = await run(dir, 'validate', '--workspace', 'w.stepwise', '--no-python');
    expect(listed.out).not.toContain('Gift');
  });
});

describe('publish --from', () => {
  it('reads the file as validate does: the version holds the text without its BOM and with LF line breaks', async () => {
    const dir = tempDir();
    expect((await run(dir, 'workspace', 'init', 'w.stepwise', '--example')).code).toBe(0);
    const text = '---\nname: Gift card balance\ntrigger: The customer asks about a gift card.\n---\n\n## Answer\nTell the customer the balance. @end\n';
    writeFileSync(join(dir, 'bom.md'), '\uFEFF' + text.replace(/\n/g, '\r\n'));
    expect((await run(dir, 'publish', 'Gift card balance', '--workspace', 'w.stepwise', '--from', 'bom.md', '--force')).code).toBe(0);
    const workspace = Workspace.open(join(dir, 'w.stepwise'), { readonly: true });
    try {
      expect(workspace.procedures.version('Gift card balance', 1).text).toBe(text);
    } finally {
      workspace.close();
    }
  });
});

describe('validate with a folder', () => {
  it('checks the Procedure files directly inside it, not its subfolders', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'procedures', 'knowledge'), { recursive: true });
    for (const name of ['refund-request.md', 'verify-identity.md']) copyFileSync(join(examplesDir, name), join(dir, 'procedures', name));
    writeFileSync(join(dir, 'procedures', 'notes.txt'), 'not a Procedure');
    // An article in a subfolder is not a Procedure and would fail if it were checked as one.
    writeFileSync(join(dir, 'procedures', 'knowledge', 'article.md'), '# An article\n\nNo front matter here.\n');
    symlinkSync(join(dir, 'nowhere.md'), join(dir, 'procedures', 'dangling.md'));

    const result = await run(dir, 'validate', 'procedures', '--no-python', '--json');
    expect(result.err).toBe('');
    const files = (JSON.parse(result.out) as { files: { file: string }[] }).files.map((entry) => entry.file);
    expect(files).toEqual([join('procedures', 'refund-request.md'), join('procedures', 'verify-identity.md')]);
    expect(result.out).not.toContain('EISDIR');
    // The same as naming the files one by one.
    const byName = await run(dir, 'validate', 'procedures/refund-request.md', 'procedures/verify-identity.md', '--no-python');
    expect((await run(dir, 'validate', 'procedures/', '--no-python')).out.split('\n').at(-2)).toBe(byName.out.split('\n').at(-2));
  });

  it('is a usage error with a clear message when the folder has no Procedure files, or for graph and fmt', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    const empty = await run(dir, 'validate', 'empty', '--no-python');
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('empty is a folder with no Procedure files (.md) directly in it.');
    expect(empty.err).not.toContain('EISDIR');
    for (const command of ['graph', 'fmt']) {
      const refused = await run(dir, command, 'empty');
      expect(refused.code, command).toBe(2);
      expect(refused.err, command).toContain('empty is a folder: name a Procedure file (.md) instead.');
    }
    const missing = await run(dir, 'validate', 'missing.md', '--no-python');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('Cannot read missing.md: no such file.');
  });
});
