// `stepwise help`: a table that fits the terminal (within bounds), every command and all its usage in it.
import { describe, expect, it } from 'vitest';
import { commands } from '../../main/cli/commands';
import { HELP_MAX_WIDTH, HELP_MIN_WIDTH, renderHelp, usageWords, wrap } from '../../main/cli/help';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
/** The text's words, whatever the line breaks and indents. */
const words = (text: string) => text.split(/\s+/).filter((word) => word.length > 0);

async function help(columns?: number): Promise<string> {
  const io = { ...captureIo(process.cwd()), ...(columns === undefined ? {} : { columns }) };
  expect(await runCli(['help'], io)).toBe(0);
  return io.stdout();
}

describe('stepwise help', () => {
  it('keeps every line within 120 characters, with no padding at the ends', async () => {
    const text = await help();
    expect(widest(text)).toBeLessThanOrEqual(120);
    for (const line of text.split('\n')) expect(line, JSON.stringify(line)).toBe(line.trimEnd());
  });

  it('names every command at the start of its entry, and holds all of its summary and usage', async () => {
    const text = await help();
    const lines = text.split('\n');
    const allWords = words(text).join(' ');
    for (const command of commands) {
      expect(lines.some((line) => line.startsWith(`  ${command.name} `)), command.name).toBe(true);
      // Every word of the usage and summary, in order: wrapping loses nothing.
      expect(allWords).toContain(words(command.summary).join(' '));
      expect(allWords).toContain(words(command.usage).join(' '));
    }
  });

  it('fits a narrow terminal, and stays readable on a very wide one', async () => {
    expect(widest(await help(80))).toBeLessThanOrEqual(80);
    expect(widest(await help(500))).toBeLessThanOrEqual(HELP_MAX_WIDTH);
    expect(widest(await help(20))).toBeLessThanOrEqual(HELP_MIN_WIDTH);
  });

  it('wraps a multi-line entry within its column, each line under the first one', () => {
    const text = renderHelp(
      [
        { name: 'go', summary: 'Short.', usage: 'go <a>' },
        { name: 'long', summary: 'word '.repeat(40).trim(), usage: `long ${'[--option <value>] '.repeat(12).trim()}\n   [--more]` },
      ],
      60,
    );
    const lines = text.split('\n');
    expect(widest(text)).toBeLessThanOrEqual(60);
    const entry = lines.slice(lines.findIndex((line) => line.startsWith('  long ')));
    // Column 2 starts after the widest name and a gap: every line of the entry is inside it.
    for (const line of entry.slice(1)) expect(line.startsWith(' '.repeat(8)) && line[8] !== undefined && line.length > 8, JSON.stringify(line)).toBe(true);
    // An option in brackets is never split across lines.
    for (const line of entry) expect(line.split('[').length, JSON.stringify(line)).toBe(line.split(']').length);
    expect(entry.filter((line) => line.trim() === '[--more]')).toHaveLength(1);
  });

  it('the help shown for an unknown command is the same table', async () => {
    const io = captureIo(process.cwd());
    expect(await runCli(['nonsense'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^Unknown command "nonsense"\./);
    expect(widest(io.stderr())).toBeLessThanOrEqual(120);
  });
});

describe('wrap', () => {
  it('cuts a word longer than the line, losing nothing', () => {
    const word = 'x'.repeat(250);
    const lines = wrap([word], 100, '  ');
    expect(lines.map((line) => line.length)).toEqual([100, 100, 54]);
    expect(lines.map((line) => line.trim()).join('')).toBe(word);
  });

  it('keeps bracketed groups whole, nested ones too', () => {
    expect(usageWords('try <a.b> [--mock [--world <name>]] (--x <t> | --y)')).toEqual(['try', '<a.b>', '[--mock [--world <name>]]', '(--x <t> | --y)']);
  });
});
