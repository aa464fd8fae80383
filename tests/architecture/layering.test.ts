// The layering rules fail the lint when someone breaks them.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

const eslint = new ESLint({ cwd: repoRoot });

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('layering lint rules', () => {
  it('keep Node, Electron and the app layers out of shared/', async () => {
    expect(await restrictedImports("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'shared/procedure/bad.ts')).toHaveLength(1);
    expect(await restrictedImports("import fs from 'fs';\nexport const x = fs;\n", 'shared/procedure/bad.ts')).toHaveLength(1);
    expect(await restrictedImports("import { app } from 'electron';\nexport const x = app;\n", 'shared/bad.ts')).toHaveLength(1);
    expect(await restrictedImports("import { runCli } from '../../main/cli/run';\nexport const x = runCli;\n", 'shared/procedure/bad.ts')).toHaveLength(1);
    expect(await restrictedImports("import { parse } from 'yaml';\nexport const x = parse;\n", 'shared/procedure/fine.ts')).toEqual([]);
  });

  it('keep electron out of the engine, except in main/shell/', async () => {
    const code = "import { app } from 'electron';\nexport const x = app;\n";
    const [message] = await restrictedImports(code, 'main/store/bad.ts');
    expect(message).toContain('only main/shell/ may import electron');
    expect(await restrictedImports(code, 'main/shell/window.ts')).toEqual([]);
    expect(await restrictedImports("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'main/store/fine.ts')).toEqual([]);
  });

  it('keep the renderer to the API contract', async () => {
    expect(await restrictedImports("import { runCli } from '../main/cli/run';\nexport const x = runCli;\n", 'renderer/app.ts')).toHaveLength(1);
    expect(await restrictedImports("import { parse } from '../shared/procedure';\nexport const x = parse;\n", 'renderer/app.ts')).toEqual([]);
    expect(await restrictedImports("import { Workspace } from '../../main/store/workspace';\nexport const x = Workspace;\n", 'renderer/src/App.tsx')).toHaveLength(1);
    expect(await restrictedImports("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'renderer/src/App.tsx')).toHaveLength(1);
  });

  it('keep the preload to electron and the API contract', async () => {
    expect(await restrictedImports("import { contextBridge } from 'electron';\nimport { METHODS } from '../shared/api';\nexport const x = [contextBridge, METHODS];\n", 'preload/preload.ts')).toEqual([]);
    expect(await restrictedImports("import { Workspace } from '../main/store/workspace';\nexport const x = Workspace;\n", 'preload/preload.ts')).toHaveLength(1);
    expect(await restrictedImports("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'preload/preload.ts')).toHaveLength(1);
  });

  it('keep the conformance checker pure and apart from the runtime rules it checks', async () => {
    const conformance = async (code: string) => {
      const [result] = await eslint.lintText(code, { filePath: 'main/conformance/check.ts' });
      return result!.messages.filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports').map((message) => message.message);
    };
    expect(await conformance("import { actionRule } from '../runtime/rules-actions';\nexport const x = actionRule;\n")).toHaveLength(1);
    expect(await conformance("import { Workspace } from '../store/workspace';\nexport const x = Workspace;\n")).toHaveLength(1);
    expect(await conformance("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toHaveLength(1);
    expect(await conformance("import { conversationStateSchema } from '../runtime/types';\nexport const x = conversationStateSchema;\n")).toHaveLength(1);
    expect(await conformance("import type { TraceEvent } from '../runtime/types';\nimport { toGraph } from '../../shared/procedure';\nexport const x = (e: TraceEvent) => [e, toGraph];\n")).toEqual([]);
  });
});
