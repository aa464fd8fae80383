// fmt and validate read a Procedure file the way the knowledge importer reads an article (byte-order
// mark dropped, CRLF and lone CR as LF), and fmt never writes a text that would read back differently.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';

const CANONICAL =
  '---\nname: Refund request\ntrigger: The customer asks for a refund.\n# Keep the attributes in the order we ask for them.\nattributes:\n  order_number:\n    type: string\n    description: From the confirmation email.\n  reason:\n    type: enum\n    values: [damaged, late, unwanted]\n---\n\n## Ask\nAsk and collect {order_number} and {reason}.\n';

function fileWith(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-fmt-'));
  writeFileSync(join(dir, name), content);
  return dir;
}

describe('a byte-order mark', () => {
  const withBom = `\uFEFF${CANONICAL}`;

  it('does not hide the front matter from validate', async () => {
    const dir = fileWith('refund.md', withBom);
    const io = captureIo(dir);
    expect(await runCli(['validate', 'refund.md', '--json', '--no-python'], io)).toBe(0);
    expect(JSON.parse(io.stdout()).files[0].diagnostics).toEqual([]);
  });

  it('fmt drops the mark and keeps the YAML as written', async () => {
    const dir = fileWith('refund.md', withBom);
    const io = captureIo(dir);
    expect(await runCli(['fmt', 'refund.md'], io)).toBe(0);
    expect(io.stdout()).toBe('refund.md: formatted\n');
    expect(readFileSync(join(dir, 'refund.md'), 'utf8')).toBe(CANONICAL);
  });

  it('fmt --check reports it, changing nothing', async () => {
    const dir = fileWith('refund.md', withBom);
    const io = captureIo(dir);
    expect(await runCli(['fmt', '--check', 'refund.md'], io)).toBe(1);
    // A mark is invisible in a diff, so it is said in words; the text itself has nothing to change.
    expect(io.stdout()).toBe('refund.md: not canonically formatted\nrefund.md: the byte-order mark would be dropped\n');
    expect(readFileSync(join(dir, 'refund.md'), 'utf8')).toBe(withBom);
  });
});

describe('fmt --check shows the diff it would apply', () => {
  const messy = CANONICAL.replace('## Ask\n', '## Ask   \n').replace('Ask and collect', '   Ask and collect');

  it('as a unified diff per file, exit code 1, the file untouched', async () => {
    const dir = fileWith('messy.md', messy);
    writeFileSync(join(dir, 'tidy.md'), CANONICAL);
    writeFileSync(join(dir, 'crlf.md'), messy.replaceAll('\n', '\r\n'));
    const io = captureIo(dir);
    expect(await runCli(['fmt', '--check', 'messy.md', 'tidy.md', 'crlf.md'], io)).toBe(1);
    const out = io.stdout();
    expect(out).toContain(['messy.md: not canonically formatted', '--- a/messy.md', '+++ b/messy.md', '@@ -11,5 +11,5 @@', '     values: [damaged, late, unwanted]', ' ---', ' ', '-## Ask   ', '-   Ask and collect {order_number} and {reason}.', '+## Ask', '+Ask and collect {order_number} and {reason}.', ''].join('\n'));
    expect(out).toContain('crlf.md: not canonically formatted\ncrlf.md: CRLF line breaks would become LF\n--- a/crlf.md\n+++ b/crlf.md\n');
    expect(out).not.toContain('tidy.md');
    // The diff is the change itself: applied to the file's text it gives the canonical form.
    const patch = out.slice(out.indexOf('--- a/messy.md'), out.indexOf('crlf.md:'));
    expect(applyPatch(messy, patch)).toBe(CANONICAL);
    expect(readFileSync(join(dir, 'messy.md'), 'utf8')).toBe(messy);
  });

  it('prints nothing and exits 0 for canonical files', async () => {
    const io = captureIo(fileWith('tidy.md', CANONICAL));
    expect(await runCli(['fmt', '--check', 'tidy.md'], io)).toBe(0);
    expect(io.stdout()).toBe('');
  });
});

describe('CRLF and lone CR line breaks', () => {
  for (const [name, eol] of [['CRLF', '\r\n'], ['lone CR', '\r']] as const) {
    it(`${name}: validate sees the steps, and fmt writes LF`, async () => {
      const text = CANONICAL.replaceAll('\n', eol);
      const dir = fileWith('refund.md', text);
      const io = captureIo(dir);
      expect(await runCli(['validate', 'refund.md', '--json', '--no-python'], io)).toBe(0);
      expect(JSON.parse(io.stdout()).files[0].diagnostics).toEqual([]);
      expect(await runCli(['fmt', '--check', 'refund.md'], captureIo(dir))).toBe(1);
      expect(await runCli(['fmt', 'refund.md'], captureIo(dir))).toBe(0);
      expect(readFileSync(join(dir, 'refund.md'), 'utf8')).toBe(CANONICAL);
    });
  }
});

describe('fmt refuses a text it cannot round-trip', () => {
  // "If …:" indented by two spaces has an empty body, and the indented "## Notes" line after it is
  // text at the step's level. In canonical form the If moves to column 0 and "## Notes" needs one
  // space to stay text, which puts it inside the If: the meaning would change.
  const ambiguous = '---\nname: Notes\ntrigger: Always.\n---\n\n## Check\n  If the order is late:\n  ## Notes for the team\nSay sorry.\n';

  it('says so and leaves the file byte for byte as it was', async () => {
    const dir = fileWith('notes.md', ambiguous);
    const io = captureIo(dir);
    expect(await runCli(['fmt', 'notes.md'], io)).toBe(1);
    expect(io.stderr()).toBe('notes.md: not formatted: the canonical form would read back differently (its steps and blocks and its problems would change), so the file is left as it is.\n');
    expect(io.stdout()).toBe('');
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe(ambiguous);
  });

  it('also when the document has no problem at all', async () => {
    // The If's body is at six spaces; "## Notes" at two is text at the step's level, and would move
    // into the If's body in canonical form.
    const clean = '---\nname: Notes\ntrigger: Always.\n---\n\n## Check\n    If the order is late:\n      - Say sorry.\n  ## Notes for the team\n';
    const dir = fileWith('clean.md', clean);
    const io = captureIo(dir);
    expect(await runCli(['validate', 'clean.md', '--no-python'], captureIo(dir))).toBe(0);
    expect(await runCli(['fmt', 'clean.md'], io)).toBe(1);
    expect(io.stderr()).toBe('clean.md: not formatted: the canonical form would read back differently (its steps and blocks would change), so the file is left as it is.\n');
    expect(readFileSync(join(dir, 'clean.md'), 'utf8')).toBe(clean);
  });

  it('--check reports the same refusal', async () => {
    const dir = fileWith('notes.md', ambiguous);
    const io = captureIo(dir);
    expect(await runCli(['fmt', '--check', 'notes.md'], io)).toBe(1);
    expect(io.stderr()).toContain('notes.md: not formatted: the canonical form would read back differently');
  });

  it('still formats the other files named with it', async () => {
    const dir = fileWith('notes.md', ambiguous);
    writeFileSync(join(dir, 'messy.md'), CANONICAL.replace('## Ask\n', '## Ask   \n'));
    const io = captureIo(dir);
    expect(await runCli(['fmt', 'notes.md', 'messy.md'], io)).toBe(1);
    expect(io.stdout()).toBe('messy.md: formatted\n');
    expect(readFileSync(join(dir, 'messy.md'), 'utf8')).toBe(CANONICAL);
  });
});

describe('a file that is not UTF-8', () => {
  it('is refused by name, and fmt does not rewrite it with replacement characters', async () => {
    const bytes = Buffer.from(`${CANONICAL}Say merci, caf\xe9.\n`, 'latin1');
    const dir = fileWith('latin1.md', bytes);
    const io = captureIo(dir);
    expect(await runCli(['fmt', 'latin1.md'], io)).toBe(2);
    expect(io.stderr()).toContain('Cannot read latin1.md: it is not UTF-8 text.');
    expect(readFileSync(join(dir, 'latin1.md')).equals(bytes)).toBe(true);
  });
});
