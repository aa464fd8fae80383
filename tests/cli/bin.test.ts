// The hints print `stepwise …` commands, so `stepwise` must exist: package.json's bin names a file
// Node starts from its shebang, `npx stepwise …` runs it in the repository, and every command
// hint the CLI prints uses that one form.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';

const repoRoot = resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin?: Record<string, string> };

describe('the stepwise command', () => {
  it('is package.json\'s bin, a file Node starts from its shebang', () => {
    expect(packageJson.bin?.stepwise).toBeDefined();
    const entry = readFileSync(join(repoRoot, packageJson.bin!.stepwise!), 'utf8');
    expect(entry.split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('runs with npx in the repository', () => {
    const result = spawnSync('npx', ['--no-install', 'stepwise', 'help'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: stepwise <command>');
  });

  it('runs from its file in any folder, with arguments passed as they are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise bin '));
    writeFileSync(join(dir, "o'brien.md"), '---\nname: Hello\ntrigger: The customer says hello.\n---\n\n## Start\nSay hello. @end\n');
    const result = spawnSync(process.execPath, [join(repoRoot, packageJson.bin!.stepwise!), 'validate', "o'brien.md", '--no-python'], { cwd: dir, encoding: 'utf8' });
    expect(result.stdout).toBe('0 errors, 0 warnings, 0 notes in 1 file.\n');
    expect(result.status).toBe(0);
  });

  it('is the one form of every command the help and hints print', async () => {
    const help = captureIo(repoRoot);
    await runCli(['help'], help);
    expect(help.stdout()).not.toContain('npm run stepwise');
    const dir = mkdtempSync(join(tmpdir(), 'stepwise hints '));
    const missing = captureIo(dir);
    expect(await runCli(['knowledge', 'search', 'x', '--workspace', 'my shop.stepwise'], missing)).toBe(1);
    expect(missing.stderr()).toContain(`Create one with: stepwise workspace init '${join(dir, 'my shop.stepwise')}'`);
  });
});
