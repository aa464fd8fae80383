// fmt and validate read a Procedure file the way the knowledge importer reads an article (byte-order
// mark dropped, CRLF and lone CR as LF), and fmt never writes a text that would read back differently.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(await runCli(['fmt', '--check', 'refund.md'], captureIo(dir))).toBe(1);
    expect(readFileSync(join(dir, 'refund.md'), 'utf8')).toBe(withBom);
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
