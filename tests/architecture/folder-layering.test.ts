// The folder layering inside main/ and shared/ (eslint.config.js), read back from ESLint's own
// config for a file of each zone: the folders each may import form a graph with no loops and place
// every folder there is; the rule refuses an import outside a folder's list (import, export … from,
// dynamic import, import type); and every import in the repository keeps to the lists.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

const RULE = 'stepwise/folder-layering';
const eslint = new ESLint({ cwd: repoRoot });

interface Layering {
  zone: string;
  folders: Record<string, string[]>;
  zonesBelow?: string[];
}

async function layeringFor(file: string): Promise<{ severity: unknown; options: Layering }> {
  const config = (await eslint.calculateConfigForFile(file)) as { rules: Record<string, [unknown, Layering]> };
  const [severity, options] = config.rules[RULE]!;
  return { severity, options };
}

async function refusals(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId === RULE).map((message) => message.message);
}

/** A loop of the graph, as the folders along it (first = last), or null when it has none. */
function findLoop(graph: Record<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph[node] ?? []) {
      const loop = visit(next);
      if (loop) return loop;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of Object.keys(graph)) {
    const loop = visit(node);
    if (loop) return loop;
  }
  return null;
}

/** The folders of a zone, and the files directly in it (a node each, named without `.ts`). */
function nodesOf(zone: string): string[] {
  return readdirSync(join(repoRoot, zone), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || /\.tsx?$/.test(entry.name))
    .map((entry) => entry.name.replace(/\.tsx?$/, ''))
    .sort();
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The node of `zone` a path lies in, or null outside it. */
function nodeIn(zone: string, path: string): string | null {
  const parts = relative(join(repoRoot, zone), path).split(sep);
  if (parts[0] === '' || parts[0] === '..') return null;
  return parts.length === 1 ? parts[0]!.replace(/\.tsx?$/, '') : parts[0]!;
}

describe.each(['main', 'shared'])('the folder layering of %s/', (zone) => {
  it('is an error, and the folders each may import form a graph with no loops', async () => {
    const { severity, options } = await layeringFor(`${zone}/any/file.ts`);
    expect([2, 'error']).toContain(severity);
    expect(options.zone).toBe(zone);
    expect(findLoop(options.folders)).toBeNull();
  });

  it('places every folder there is, and lists only folders that exist', async () => {
    const { options } = await layeringFor(`${zone}/any/file.ts`);
    expect(Object.keys(options.folders).sort()).toEqual(nodesOf(zone));
    const known = new Set([...Object.keys(options.folders), ...(options.zonesBelow ?? [])]);
    for (const [folder, allowed] of Object.entries(options.folders)) {
      for (const target of allowed) expect(known.has(target), `${zone}/${folder} lists ${target}`).toBe(true);
    }
  });

  it('is kept by every import in the repository', async () => {
    const { options } = await layeringFor(`${zone}/any/file.ts`);
    const broken: string[] = [];
    for (const file of sourceFiles(join(repoRoot, zone))) {
      const from = nodeIn(zone, file)!;
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), specifier!);
        const below = options.zonesBelow?.find((other) => nodeIn(other, target) !== null);
        const to = below ?? nodeIn(zone, target);
        if (to === null || to === from) continue;
        if (!options.folders[from]?.includes(to)) broken.push(`${relative(repoRoot, file)} imports ${specifier}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the loop check', () => {
  it('finds a loop, and a long way round is not one', () => {
    expect(findLoop({ a: ['b'], b: ['c'], c: ['a'] })).toEqual(['a', 'b', 'c', 'a']);
    expect(findLoop({ a: ['a'] })).toEqual(['a', 'a']);
    expect(findLoop({ a: ['b', 'c'], b: ['c'], c: [] })).toBeNull();
  });
});

describe('the folder layering rule', () => {
  it('refuses the imports that made the old loops', async () => {
    expect(await refusals("import { UsageError } from '../cli/io';\nexport const x = UsageError;\n", 'main/files/bad.ts')).toEqual([
      expect.stringContaining('main/files must not import main/cli'),
    ]);
    expect(await refusals("import { startEngine } from '../app/engine';\nexport const x = startEngine;\n", 'main/server/bad.ts')).toHaveLength(1);
    expect(await refusals("import { connectorDefinitionSchema } from '../connectors/definition';\nexport const x = connectorDefinitionSchema;\n", 'main/store/bad.ts')).toHaveLength(1);
  });

  it('refuses an upward import however it is written', async () => {
    const file = 'main/runtime/bad.ts';
    expect(await refusals("import type { SuiteReport } from '../simulations/suite';\nexport type X = SuiteReport;\n", file)).toHaveLength(1);
    expect(await refusals("export * from '../simulations/suite';\n", file)).toHaveLength(1);
    expect(await refusals("export { runSuite } from '../simulations/suite';\n", file)).toHaveLength(1);
    expect(await refusals("export const load = () => import('../simulations/suite');\n", file)).toHaveLength(1);
    expect(await refusals("export type X = import('../simulations/suite').SuiteReport;\n", file)).toHaveLength(1);
    // From a nested file, resolved from where it stands.
    expect(await refusals("import { x } from '../../cli/io';\nexport const y = x;\n", 'main/store/nested/bad.ts')).toHaveLength(1);
  });

  it('lets a folder use itself and what it lists, from any depth', async () => {
    expect(await refusals("import { Workspace } from '../../store/workspace';\nimport { UsageError } from '../io';\nexport const x = [Workspace, UsageError];\n", 'main/cli/commands/fine.ts')).toEqual([]);
    // main/cli/commands/ → main/cli/store/…: a folder of cli, not main/store.
    expect(await refusals("import { x } from '../store/thing';\nexport const y = x;\n", 'main/cli/commands/fine.ts')).toEqual([]);
    expect(await refusals("import { parse } from '../../shared/procedure';\nexport const x = parse;\n", 'main/store/fine.ts')).toEqual([]);
  });

  it('holds shared/ to its own layering', async () => {
    expect(await refusals("import { METHODS } from '../api';\nexport const x = METHODS;\n", 'shared/procedure/bad.ts')).toHaveLength(1);
  });

  it('asks a new folder to take its place', async () => {
    const [message] = await refusals('export const x = 1;\n', 'main/brand-new/file.ts');
    expect(message).toContain('main/brand-new has no place in the folder layering');
  });
});
