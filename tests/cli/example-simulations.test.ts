// The example shop ships simulations for every example Procedure (examples/simulations/), so the
// README's `simulate` example runs and passes (with the fake model playing agent, customer and
// judge); `simulations add` reads a simulation file, naming a wrong field and saving nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../../main/secrets/encrypted-file-store';
import { saveModelSettings } from '../../main/model/workspace-settings';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { repoRoot } from '../support/paths';
import { conversationsScript, EXAMPLE_SCRIPTS, SPARKING_KETTLE } from '../simulations/example-scripts';
import { testSettings, useModelServers, type ModelServer } from '../simulations/helpers';

const startModelServer = useModelServers();
let server: ModelServer | undefined;
afterEach(() => {
  server = undefined;
});

const folder = () => mkdtempSync(join(tmpdir(), 'stepwise-examples-'));
const io = (cwd: string, url?: string) => ({ ...captureIo(cwd), env: url ? { ANTHROPIC_API_KEY: 'sk-examples', ANTHROPIC_BASE_URL: url } : {} });

async function exampleWorkspace(withModels = true): Promise<string> {
  const file = join(folder(), 'shop.stepwise');
  const out = captureIo(repoRoot);
  expect(await runCli(['workspace', 'init', file, '--example'], out)).toBe(0);
  expect(out.stdout()).toMatch(/ 5 simulations \(run them with `stepwise simulate --workspace /);
  if (withModels) {
    const workspace = Workspace.open(file);
    const { apiKey: _key, baseURL: _url, ...settings } = testSettings('http://127.0.0.1:1');
    await saveModelSettings(workspace, new EncryptedFileSecretStore(defaultSecretLocation(workspace.path)), settings);
    workspace.close();
  }
  return file;
}

/** The README's command line for `simulate`, as words, with the workspace put in. */
function readmeSimulateArgs(workspace: string): string[] {
  const line = readFileSync(join(repoRoot, 'README.md'), 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith('npm run stepwise -- simulate --workspace'));
  expect(line, 'the README shows a simulate example').toBeDefined();
  // The shell reads the line as a reader pasting it would (quotes, $WS, $(dirname …)); printf hands back each word.
  const words = execFileSync('bash', ['-c', `printf '%s\\0' ${line!.replace('npm run stepwise -- ', '')}`], { env: { PATH: process.env.PATH, WS: workspace }, encoding: 'utf8' });
  return words.split('\0').slice(0, -1);
}

describe('the example simulations', () => {
  it('cover every example Procedure, with checks that name the workspace\'s actions, teams and attributes', async () => {
    const file = await exampleWorkspace(false);
    const workspace = Workspace.open(file);
    try {
      const procedures = workspace.procedures.list().map((record) => record.name);
      expect(procedures.length).toBe(5);
      const actions = new Set(workspace.connectors.list().flatMap((connector) => connector.actions.map((action) => `${connector.name}.${action.name}`)));
      const teams = new Set(workspace.teams.list().map((team) => team.name));
      for (const procedure of procedures) {
        const simulations = workspace.simulations.list(procedure);
        expect(simulations.length, procedure).toBeGreaterThan(0);
        const text = workspace.procedures.require(procedure).draftText;
        for (const { definition, name } of simulations) {
          expect(definition.criteria.length, name).toBeGreaterThan(0);
          expect(definition.expectedActions.length + definition.forbiddenActions.length, name).toBeGreaterThan(0);
          for (const check of [...definition.expectedActions, ...definition.forbiddenActions]) expect(actions, `${name}: ${check.action}`).toContain(check.action);
          if (definition.finalStatus?.team) expect(teams, name).toContain(definition.finalStatus.team);
          for (const attribute of Object.keys(definition.attributes)) expect(text, `${name}: ${attribute}`).toContain(`${attribute}:`);
        }
      }
    } finally {
      workspace.close();
    }
  });

  it('the README\'s simulate example runs the damaged-order suite, 3 tries at concurrency 4, and passes', async () => {
    const file = await exampleWorkspace();
    const cwd = join(file, '..');
    server = await startModelServer(conversationsScript([SPARKING_KETTLE]));
    const args = readmeSimulateArgs(file);
    expect(args).toEqual(['simulate', '--workspace', file, '--procedure', 'Damaged order claim', '--repeat', '3', '--concurrency', '4', '--junit', join(dirname(file), 'simulations.xml')]);
    const out = io(cwd, server.fake.url);
    const code = await runCli(args, out);
    expect(out.stderr()).toBe('');
    expect(out.stdout()).toContain('Results: 3 of 3 runs passed.');
    expect(code).toBe(0);
    expect(readFileSync(join(dirname(file), 'simulations.xml'), 'utf8')).toMatch(/<testcase classname="Damaged order claim" name="Sparking kettle[^"]*"/);
  });

  it('every example simulation passes with its script (the scripts: tests/simulations/example-scripts.ts)', async () => {
    const file = await exampleWorkspace();
    server = await startModelServer(conversationsScript(EXAMPLE_SCRIPTS));
    const out = io(join(file, '..'), server.fake.url);
    const code = await runCli(['simulate', '--workspace', file, '--concurrency', '3'], out);
    expect(out.stderr()).toBe('');
    expect(out.stdout()).toContain('Results: 5 of 5 runs passed.');
    expect(code).toBe(0);
  });

  it('the README\'s paths to repository files exist', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const paths = [...readme.matchAll(/(?:^|\s)((?:tests|examples|docs)\/[\w./-]+\.(?:json|md|yaml))/gm)].map((match) => match[1]!);
    expect(paths).toContain('tests/fixtures/tau2/retail-tasks.json');
    for (const path of paths) expect(existsSync(resolve(repoRoot, path)), path).toBe(true);
  });
});

describe('stepwise simulations add', () => {
  const simulation = {
    procedure: 'Damaged order claim',
    name: 'Cracked mug',
    customer: { persona: 'Ana, calm.', opening: 'My mug arrived cracked.' },
    criteria: [{ name: 'apologises', assertion: 'The agent apologises.' }],
    expectedActions: [{ action: 'shop.get_order' }],
  };

  it('adds a simulation from YAML or JSON, and refuses a name already taken unless --replace', async () => {
    const file = await exampleWorkspace(false);
    const dir = join(file, '..');
    writeFileSync(join(dir, 'mug.json'), JSON.stringify(simulation));
    const added = io(dir);
    expect(await runCli(['simulations', 'add', 'mug.json', '--workspace', file], added)).toBe(0);
    expect(added.stdout()).toContain('Added Damaged order claim / Cracked mug.');
    writeFileSync(join(dir, 'more.yaml'), ['simulations:', '  - name: Late claim', '    customer: { persona: Bo }', '    maxTurns: 4', '  - name: Wrong item', '    customer: { persona: Cy }', ''].join('\n'));
    const yaml = io(dir);
    expect(await runCli(['simulations', 'add', 'more.yaml', '--procedure', 'Refund request', '--workspace', file], yaml)).toBe(0);
    expect(yaml.stdout()).toContain('Added Refund request / Late claim.');
    expect(yaml.stdout()).toContain('Added Refund request / Wrong item.');
    const again = io(dir);
    expect(await runCli(['simulations', 'add', 'mug.json', '--workspace', file], again)).toBe(1);
    expect(again.stderr()).toContain('already has a simulation called "Cracked mug": nothing was saved');
    writeFileSync(join(dir, 'mug.json'), JSON.stringify({ ...simulation, maxTurns: 3 }));
    expect(await runCli(['simulations', 'add', 'mug.json', '--replace', '--workspace', file], io(dir))).toBe(0);
    const workspace = Workspace.open(file);
    expect(workspace.simulations.get('Damaged order claim', 'Cracked mug')!.definition.maxTurns).toBe(3);
    expect(workspace.simulations.get('Refund request', 'Late claim')!.definition.maxTurns).toBe(4);
    workspace.close();
  });

  it('names a wrong field by its path and saves nothing, not even the good simulations beside it', async () => {
    const file = await exampleWorkspace(false);
    const dir = join(file, '..');
    const count = () => {
      const workspace = Workspace.open(file);
      const total = workspace.simulations.list().length;
      workspace.close();
      return total;
    };
    const before = count();
    const cases: [string, string][] = [
      [JSON.stringify({ ...simulation, customer: { ...simulation.customer, persna: 'typo' } }), 'customer.persna: not a field of a simulation here'],
      [JSON.stringify({ ...simulation, maxTurns: 'ten' }), 'maxTurns:'],
      [JSON.stringify({ ...simulation, expectedActions: [{ action: 'shop get order' }] }), 'expectedActions[0].action: name an action as connector.action'],
      [JSON.stringify({ ...simulation, finalStatus: { status: 'closed' } }), 'finalStatus.status:'],
      [JSON.stringify({ ...simulation, name: undefined }), 'name: missing'],
      [JSON.stringify({ procedure: 'Damaged order claim', simulations: [{ name: 'Good one', customer: { persona: 'Ok' } }, { name: 'Bad one', customer: {} }] }), 'simulations[1].customer.persona:'],
      [JSON.stringify({ procedure: 'Damaged order claim', simulations: [{ name: 'Twice', customer: { persona: 'A' } }, { name: 'Twice', customer: { persona: 'B' } }] }), 'simulations[1].name: "Twice" is used twice'],
      ['procedure: Damaged order claim\nname: x\nname: y\n', 'neither YAML nor JSON'],
      [JSON.stringify({ ...simulation, procedure: 'Nope' }), 'There is no Procedure called "Nope"'],
    ];
    for (const [content, message] of cases) {
      writeFileSync(join(dir, 'bad.json'), content);
      const out = io(dir);
      expect(await runCli(['simulations', 'add', 'bad.json', '--workspace', file], out), content).toBe(1);
      expect(out.stderr(), content).toContain(message);
      expect(count(), content).toBe(before);
    }
    writeFileSync(join(dir, 'other.json'), JSON.stringify(simulation));
    const mismatch = io(dir);
    expect(await runCli(['simulations', 'add', 'other.json', '--procedure', 'Refund request', '--workspace', file], mismatch)).toBe(1);
    expect(mismatch.stderr()).toContain('the file is for "Damaged order claim", not "Refund request"');
    const missing = io(dir);
    expect(await runCli(['simulations', 'add', 'nothing.yaml', '--workspace', file], missing)).toBe(2);
    expect(count()).toBe(before);
  });
});
