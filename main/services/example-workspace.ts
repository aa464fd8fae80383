// Fills a workspace with the example shop: every examples/*.md Procedure, the knowledge articles
// in examples/knowledge/, the connectors in examples/connectors/*.json (with their mocks), the mock
// worlds in examples/worlds/*.json, the teams in examples/teams.json and the simulations in
// examples/simulations/*.yaml (main/simulations/simulation-file.ts). The folder is read at run
// time, so new examples come in by themselves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { saveAuthoredConnector } from '../connectors/grants';
import { importKnowledge, type ImportReport } from '../knowledge/import';
import { parseSimulationFile } from '../simulations/simulation-file';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from '../store/errors';
import type { Workspace } from '../store/workspace';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

export interface ExampleReport {
  procedures: string[];
  connectors: string[];
  worlds: string[];
  teams: string[];
  /** `Procedure / simulation` of each example simulation. */
  simulations: string[];
  knowledge: ImportReport;
}

export function loadExamples(workspace: Workspace, folder: string = EXAMPLES_DIR): ExampleReport {
  return workspace.transaction(() => {
    const connectors: string[] = [];
    for (const file of listFiles(join(folder, 'connectors'), '.json')) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(join(folder, 'connectors', file), 'utf8'));
      } catch (error) {
        throw new StoreError(`examples/connectors/${file} is not JSON: ${(error as Error).message}`, 'invalid');
      }
      // The examples ship with Stepwise: adding them is the user's approval of what they ask for.
      connectors.push(saveAuthoredConnector(workspace, raw, 'the example shop').name);
    }
    const worlds: string[] = [];
    const worldsFolder = join(folder, 'worlds');
    for (const file of existsSync(worldsFolder) ? listFiles(worldsFolder, '.json') : []) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(join(worldsFolder, file), 'utf8'));
      } catch (error) {
        throw new StoreError(`examples/worlds/${file} is not JSON: ${(error as Error).message}`, 'invalid');
      }
      worlds.push(workspace.worlds.save(file.replace(/\.json$/, ''), raw, 'The example shop: orders, payments, subscriptions, accounts and tickets for mocked runs.').name);
    }
    const teams: string[] = [];
    const teamsFile = join(folder, 'teams.json');
    const parsedTeams = z.array(z.unknown()).safeParse(JSON.parse(readFileSync(teamsFile, 'utf8')));
    if (!parsedTeams.success) throw new StoreError(`examples/teams.json is not a list of teams: ${describeZodError(parsedTeams.error)}`, 'invalid');
    for (const team of parsedTeams.data) teams.push(workspace.teams.save(team).name);
    const procedures: string[] = [];
    for (const file of listFiles(folder, '.md')) procedures.push(workspace.procedures.create(readFileSync(join(folder, file), 'utf8')).name);
    // After the Procedures they belong to; a bad file stops the whole init (nothing is half-made).
    const simulations: string[] = [];
    const simulationsFolder = join(folder, 'simulations');
    for (const file of existsSync(simulationsFolder) ? listFiles(simulationsFolder, '.yaml') : []) {
      let entries;
      try {
        entries = parseSimulationFile(readFileSync(join(simulationsFolder, file), 'utf8'), `examples/simulations/${file}`);
      } catch (error) {
        throw new StoreError((error as Error).message, 'invalid');
      }
      for (const entry of entries) simulations.push(`${workspace.simulations.save(entry.procedure, entry.name, entry.definition).procedure} / ${entry.name}`);
    }
    const knowledge = importKnowledge(workspace.knowledge, join(folder, 'knowledge'));
    return { procedures, connectors, worlds, teams, simulations, knowledge };
  });
}

function listFiles(folder: string, extension: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(extension) && !name.startsWith('.'))
    .sort();
}
