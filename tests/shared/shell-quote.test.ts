// A printed command pastes into a POSIX shell with each path as one word, whatever it holds.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../shared/shell-quote';

/** What `sh` reads the quoted words as: each argument on its own line. */
const shellReads = (line: string) => execFileSync('sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' }).split('\n').slice(0, -1);

describe('shellQuote', () => {
  it('leaves a plain word as typed', () => {
    expect(shellQuote('/tmp/shop.stepwise')).toBe('/tmp/shop.stepwise');
    expect(shellQuote('--workspace')).toBe('--workspace');
  });

  it.each([
    ['a space', '/tmp/my shop/shop.stepwise'],
    ['a single quote', "/home/o'brien/shop.stepwise"],
    ['double quotes and a dollar', '/tmp/"$HOME"/x'],
    ['a backtick and a semicolon', '/tmp/`rm -rf x`; echo'],
    ['a glob and a tilde', '~/shop*.stepwise'],
    ['an empty word', ''],
    ['a newline', 'a\nb'],
  ])('quotes a word with %s so the shell reads it back unchanged', (_label, word) => {
    const quoted = shellQuote(word);
    expect(quoted).not.toBe(word);
    if (!word.includes('\n')) expect(shellReads(quoted)).toEqual([word]);
  });

  it('builds a command the shell splits into exactly its words', () => {
    const words = ['npx', 'stepwise', 'simulate', '--workspace', "/tmp/it's here/shop.stepwise", '--replay', '12'];
    const line = shellCommand(words);
    expect(line).toBe("npx stepwise simulate --workspace '/tmp/it'\\''s here/shop.stepwise' --replay 12");
    expect(shellReads(line)).toEqual(words);
  });
});
