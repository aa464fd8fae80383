// validate, graph and fmt through the CLI: output formats and exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';
import { examplesDir, repoRoot } from '../support/paths';

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'stepwise-cli-'));
}

const broken = '---\nname: Broken\ntrigger: Always.\n---\n## Only step\nAsk and collect {order_number}.\nGo to [[#Nowhere]].\n';

describe('stepwise validate', () => {
  it('exits 0 on the examples, checking [[…]] against the other files and noting unchecked actions', async () => {
    const io = captureIo(examplesDir);
    const code = await runCli(['validate', 'damaged-order.md', 'verify-identity.md', '--json', '--no-python'], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout());
    expect(report.files.map((file: { file: string }) => file.file)).toEqual(['damaged-order.md', 'verify-identity.md']);
    const severities = report.files.flatMap((file: { diagnostics: { severity: string }[] }) => file.diagnostics.map((d) => d.severity));
    expect(new Set(severities)).toEqual(new Set(['info']));
    expect(report.files[0].diagnostics[0]).toEqual({ severity: 'info', message: expect.stringContaining('@shop.get_order'), line: 25, column: 24, code: 'unchecked-action' });
  });

  it('reports a [[…]] that names none of the files given', async () => {
    const io = captureIo(examplesDir);
    const code = await runCli(['validate', 'damaged-order.md', '--json', '--no-python'], io);
    expect(code).toBe(1);
    const diagnostics = JSON.parse(io.stdout()).files[0].diagnostics;
    expect(diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unknown-procedure', line: 47, column: 38 }));
  });

  it('exits 1 with file:line:column lines for errors', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'broken.md'), broken);
    const io = captureIo(dir);
    expect(await runCli(['validate', 'broken.md', '--no-python'], io)).toBe(1);
    expect(io.stdout()).toContain('broken.md:6:17: error: Attribute {order_number} is not declared');
    expect(io.stdout()).toContain('broken.md:7:7: error: There is no step called "Nowhere"');
    expect(io.stdout()).toMatch(/2 errors, 0 warnings, 0 notes in 1 file\.\n$/);
  });

  it('exits 2 on a usage error', async () => {
    const io = captureIo(examplesDir);
    expect(await runCli(['validate'], io)).toBe(2);
    expect(io.stderr()).toContain('Usage: stepwise validate');
    expect(await runCli(['validate', 'missing.md'], captureIo(examplesDir))).toBe(2);
    expect(await runCli(['validate', 'damaged-order.md', '--bogus'], captureIo(examplesDir))).toBe(2);
    expect(await runCli(['nonsense'], captureIo(examplesDir))).toBe(2);
  });
});

describe('stepwise validate checks Python in the sandbox', () => {
  it('reports syntax and policy errors at their place in the document', async () => {
    const dir = workdir();
    const text = '---\nname: Py\ntrigger: Always.\nattributes:\n  total:\n    type: number\n---\n## Compute\n```python\nattributes["total"] = (1 +\n```\nIf `attributes["total"].__class__`:\n  - Say hi.\n';
    writeFileSync(join(dir, 'py.md'), text);
    const io = captureIo(dir);
    expect(await runCli(['validate', 'py.md', '--json'], io)).toBe(1);
    const python = JSON.parse(io.stdout()).files[0].diagnostics.filter((d: { code: string }) => d.code === 'python');
    expect(python).toEqual([
      expect.objectContaining({ severity: 'error', line: 10, column: 23, message: expect.stringMatching(/never closed/) }),
      expect.objectContaining({ severity: 'error', line: 12, column: 25, message: expect.stringMatching(/__class__/) }),
    ]);
  });
});

describe('stepwise graph', () => {
  it('prints nodes and edges as JSON', async () => {
    const io = captureIo(examplesDir);
    expect(await runCli(['graph', 'verify-identity.md', '--json'], io)).toBe(0);
    const graph = JSON.parse(io.stdout());
    expect(Object.keys(graph.nodes[0]).sort()).toEqual(['id', 'kind', 'label', 'line']);
    expect(graph.nodes[0]).toEqual({ id: 'trigger', kind: 'trigger', label: 'Called by another Procedure', line: 1 });
    expect(graph.edges).toContainEqual({ from: 'step:check-the-code/cond1', to: 'step:check-the-code/cond1/b2', label: 'the customer has tried three times' });
    expect(graph.edges).toContainEqual({ from: 'trigger', to: 'step:send-a-code', label: null });
  });
});

describe('stepwise fmt', () => {
  const messy = '---\nname: Messy\ntrigger: Always.\n---\n## Ask   \nSay hi.   \n* a bullet\nif `True`:\n    - Do it.\nElse:\n    - Do not.\n\n\n\n## End\nBye. @end';

  it('--check reports files that are not canonical and exits 1, changing nothing', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'messy.md'), messy);
    copyFileSync(join(examplesDir, 'refund-request.md'), join(dir, 'refund-request.md'));
    const io = captureIo(dir);
    expect(await runCli(['fmt', '--check', 'messy.md', 'refund-request.md'], io)).toBe(1);
    // Each file that is not canonical is named, then the diff that fmt would apply to it.
    expect(io.stdout()).toMatch(/^messy\.md: not canonically formatted\n--- a\/messy\.md\n\+\+\+ b\/messy\.md\n@@ /);
    expect(io.stdout()).toContain('\n-## Ask   \n');
    expect(io.stdout()).not.toContain('refund-request.md');
    expect(readFileSync(join(dir, 'messy.md'), 'utf8')).toBe(messy);
  });

  it('rewrites files in canonical form, after which --check passes', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'messy.md'), messy);
    expect(await runCli(['fmt', 'messy.md'], captureIo(dir))).toBe(0);
    expect(readFileSync(join(dir, 'messy.md'), 'utf8')).toBe(
      '---\nname: Messy\ntrigger: Always.\n---\n\n## Ask\nSay hi.\n- a bullet\nIf `True`:\n  - Do it.\nOtherwise:\n  - Do not.\n\n## End\nBye. @end\n',
    );
    expect(await runCli(['fmt', '--check', 'messy.md'], captureIo(dir))).toBe(0);
  });

  it('refuses to format a document with errors, and leaves it as it was', async () => {
    const dir = workdir();
    const unclosed = '---\nname: X\ntrigger: Y\n---\n## A\n```python\nx = 1\n';
    writeFileSync(join(dir, 'bad.md'), unclosed);
    const io = captureIo(dir);
    expect(await runCli(['fmt', 'bad.md'], io)).toBe(1);
    expect(io.stderr()).toContain('bad.md:6:1: not formatted: This code block is never closed');
    expect(readFileSync(join(dir, 'bad.md'), 'utf8')).toBe(unclosed);
  });
});

describe('npm run stepwise', () => {
  it('runs the real command line end to end', () => {
    const result = spawnSync('npm', ['run', '-s', 'stepwise', '--', 'validate', 'examples/damaged-order.md', 'examples/verify-identity.md', '--no-python'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 errors, 0 warnings, 5 notes in 2 files.');
    const bad = spawnSync('npm', ['run', '-s', 'stepwise', '--', 'validate'], { cwd: repoRoot, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(execFileSync('npm', ['run', '-s', 'stepwise', '--', 'help'], { cwd: repoRoot, encoding: 'utf8' })).toContain('validate <files or folders…>');
  });
});
