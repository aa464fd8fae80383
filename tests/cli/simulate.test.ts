// `stepwise simulate` and `stepwise simulations …` end to end: workspace files, the fake Messages API
// through the environment, exit codes for CI, JUnit XML that parses, JSON, offline replay, review.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_MODEL } from '../../main/cli/model-args';
import { runCli } from '../../main/cli/run';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { repoRoot } from '../support/paths';
import { GREETING, greetingScript } from '../simulations/greeting';
import { byRole, testSettings, useModelServers, verdicts, type ModelServer } from '../simulations/helpers';
import { agentScript, baseDefinition, customerScript } from '../simulations/scenario';
import { saveModelSettings } from '../../main/model/workspace-settings';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../../main/secrets/encrypted-file-store';

const startModelServer = useModelServers();
let server: ModelServer | undefined;
afterEach(async () => {
  server = undefined;
});

const folder = () => mkdtempSync(join(tmpdir(), 'stepwise-simulate-'));
const io = (url?: string) => ({ ...captureIo(repoRoot), env: url ? { ANTHROPIC_API_KEY: 'sk-simulate', ANTHROPIC_BASE_URL: url } : {} });

/** Saves the role models and prices of the tests as the workspace's model settings. */
async function saveTestModels(workspace: Workspace): Promise<void> {
  const { apiKey: _key, baseURL: _url, ...settings } = testSettings('http://127.0.0.1:1');
  await saveModelSettings(workspace, new EncryptedFileSecretStore(defaultSecretLocation(workspace.path)), settings);
}

/** The example shop, with the test models. */
async function exampleWorkspace(): Promise<string> {
  const file = join(folder(), 'shop.stepwise');
  expect(await runCli(['workspace', 'init', file, '--example'], captureIo(repoRoot))).toBe(0);
  const workspace = Workspace.open(file);
  await saveTestModels(workspace);
  return (workspace.close(), file);
}

describe('stepwise simulate', () => {
  it('runs a Procedure\'s simulations, prints the estimate, results, cost and coverage, writes JUnit, and exits 0 when all pass', async () => {
    const file = await exampleWorkspace();
    const workspace = Workspace.open(file);
    workspace.simulations.save('Damaged order claim', 'Sparking kettle', baseDefinition({ finalStatus: { status: 'handed_off', team: 'Safety team' }, tags: ['safety'] }));
    workspace.simulations.save('Refund request', 'Not run', { customer: { persona: 'Other' } });
    workspace.close();
    server = await startModelServer(byRole({ agent: agentScript(), customer: customerScript(), judge: [verdicts([])] }));
    const out = io(server.fake.url);
    const code = await runCli(['simulate', '--workspace', file, '--tag', 'safety', '--junit', 'report.xml'], { ...out, cwd: join(file, '..') });
    expect(out.stderr()).toBe('');
    expect(code).toBe(0);
    const text = out.stdout();
    expect(text).toMatch(/^Estimated cost: \$\d+\.\d+ for 1 run \(1 simulation × 1 try; 1 from its length\)/);
    expect(text).toContain('[1/1] PASS Damaged order claim / Sparking kettle: 2 customer messages');
    expect(text).toContain('Results: 1 of 1 run passed.');
    expect(text).toContain('pass^1 = 1.000 (1 of 1 simulation passed all 1 try).');
    expect(text).toMatch(/Cost: \$\d+\.\d+ \(estimated \$\d+\.\d+\); 720 tokens;/);
    // Steps by their titles, not their ids.
    expect(text).toContain('Coverage of Damaged order claim: 3/5 steps, 2/5 branches; never reached: “Resolve”, “Wrap up”, “Check the claim window” → Otherwise, “Resolve” → preferred resolution is “refund”, “Resolve” → Otherwise.');
    expect(text).not.toMatch(/step:/);

    const xml = readFileSync(join(file, '..', 'report.xml'), 'utf8');
    const problems: string[] = [];
    const document = new DOMParser({ errorHandler: (level: string, message: unknown) => problems.push(`${level}: ${String(message)}`) }).parseFromString(xml, 'text/xml');
    expect(problems).toEqual([]);
    const suites = document.getElementsByTagName('testsuite');
    expect(suites.length).toBe(1);
    expect(suites[0]!.getAttribute('name')).toBe('Damaged order claim');
    const testcase = document.getElementsByTagName('testcase')[0]!;
    expect(testcase.getAttribute('name')).toBe('Sparking kettle');
    expect(testcase.getElementsByTagName('failure').length).toBe(0);
    expect(testcase.getElementsByTagName('system-out')[0]!.textContent).toContain('customer: My kettle from order 1043 arrived broken.');
  });

  it('simulations show prints the world the run ended with after the transcript, as the app shows it', async () => {
    const file = await exampleWorkspace();
    const workspace = Workspace.open(file);
    // The order lookup's mock notes each lookup in the world, as a CRM's audit log would.
    const shop = workspace.connectors.get('shop')!;
    if (shop.kind !== 'http') throw new Error('the example shop is an HTTP connector');
    const actions = shop.actions.map((action) =>
      action.name === 'get_order' ? { ...action, mocks: { ...action.mocks, handler: `attributes["world"].setdefault("lookups", []).append(str(data["input"]["order_number"]))\n${action.mocks!.handler}` } } : action,
    );
    workspace.connectors.save({ ...shop, actions });
    workspace.simulations.save('Damaged order claim', 'Sparking kettle', baseDefinition({ finalStatus: { status: 'handed_off', team: 'Safety team' }, tags: ['safety'] }));
    workspace.close();
    server = await startModelServer(byRole({ agent: agentScript(), customer: customerScript(), judge: [verdicts([])] }));
    const ran = io(server.fake.url);
    expect(await runCli(['simulate', '--workspace', file, '--tag', 'safety', '--json'], ran)).toBe(0);
    const runId = (JSON.parse(ran.stdout()) as { report: { runs: { runId: number }[] } }).report.runs[0]!.runId;

    const shown = io();
    expect(await runCli(['simulations', 'show', String(runId), '--workspace', file], shown)).toBe(0);
    const text = shown.stdout();
    expect(text).toContain('Final world: started from the mock world "shop"; 1 change.\n  + lookups: ["1043"]\nTrace:\n');
    expect(text.indexOf('Transcript:')).toBeLessThan(text.indexOf('Final world:'));
    const json = io();
    expect(await runCli(['simulations', 'show', String(runId), '--workspace', file, '--json'], json)).toBe(0);
    expect((JSON.parse(json.stdout()) as { finalWorld: { state: string; final: { lookups: string[] } } }).finalWorld).toMatchObject({ state: 'recorded', final: { lookups: ['1043'] } });
  });

  it('says the cost is not known, naming the models, when no price is set for them (never $0.0000)', async () => {
    const file = join(folder(), 'shop.stepwise');
    expect(await runCli(['workspace', 'init', file, '--example'], captureIo(repoRoot))).toBe(0);
    const workspace = Workspace.open(file);
    const { apiKey: _key, baseURL: _url, ...settings } = testSettings('http://127.0.0.1:1', { prices: {} });
    await saveModelSettings(workspace, new EncryptedFileSecretStore(defaultSecretLocation(workspace.path)), settings);
    workspace.simulations.save('Damaged order claim', 'Sparking kettle', baseDefinition({ finalStatus: { status: 'handed_off', team: 'Safety team' }, tags: ['safety'] }));
    workspace.close();
    server = await startModelServer(byRole({ agent: agentScript(), customer: customerScript(), judge: [verdicts([])] }));
    const out = io(server.fake.url);
    expect(await runCli(['simulate', '--workspace', file, '--tag', 'safety'], out)).toBe(0);
    const text = out.stdout();
    expect(text).toMatch(/^Estimated cost: not known \(no price set for [a-z-]+(, [a-z-]+)*\) for 1 run \(1 simulation × 1 try; 1 from its length\)/);
    expect(text).toContain('[1/1] PASS Damaged order claim / Sparking kettle: 2 customer messages, cost not known (no price set for agent-model, customer-model, judge-model)');
    expect(text).toMatch(/\nCost: not known \(no price set for agent-model, customer-model, judge-model\); 720 tokens;/);
    expect(text).not.toContain('$0.0000');
    expect(text).not.toContain('Not counted');
  });

  it('exits 1 when a simulation fails, showing the criterion, the judge\'s reason, the transcript and the trace; replays it offline; reviews it', async () => {
    // A folder with a space and a quote: the printed replay command must still paste as one path.
    const file = join(folder(), "it's here", 'greeting.stepwise');
    mkdirSync(dirname(file));
    const workspace = Workspace.create(file);
    workspace.procedures.create(GREETING);
    workspace.simulations.save('Greeting', 'always-fails', {
      customer: { persona: 'always-fails', opening: 'Hello <there> & "you"' },
      criteria: [{ name: 'greets', assertion: 'The agent says hello.' }],
    });
    await saveTestModels(workspace);
    workspace.close();
    server = await startModelServer(greetingScript());

    const out = io(server.fake.url);
    expect(await runCli(['simulate', '--workspace', file, '--junit', join(file, '..', 'junit.xml')], out)).toBe(1);
    const text = out.stdout();
    expect(text).toContain('[1/1] FAIL Greeting / always-fails: 1 of 3 checks failed (put down to the agent)');
    expect(text).toContain('✗ criterion "greets" (agent) — judge: No greeting.');
    expect(text).toContain('      customer: Hello <there> & "you"');
    expect(text).toContain('      agent: Hello! How can I help?');
    expect(text).toContain('      tool end_procedure {"summary":"Greeted."} → ok');
    expect(text).toContain('      step “Greet”\n');
    const runId = Number(/--replay (\d+)/.exec(text)![1]);
    expect(text).toContain(`    replay it offline: stepwise simulate --workspace '${file.replace("'", "'\\''")}' --replay ${runId}\n`);

    // The JUnit report escapes what the customer wrote and marks the failure.
    const xml = readFileSync(join(file, '..', 'junit.xml'), 'utf8');
    const problems: string[] = [];
    const document = new DOMParser({ errorHandler: (level: string, message: unknown) => problems.push(`${level}: ${String(message)}`) }).parseFromString(xml, 'text/xml');
    expect(problems).toEqual([]);
    expect(document.getElementsByTagName('testsuites')[0]!.getAttribute('failures')).toBe('1');
    expect(document.getElementsByTagName('failure')[0]!.textContent).toContain('greets [agent]: No greeting.');
    expect(document.getElementsByTagName('system-out')[0]!.textContent).toContain('Hello <there> & "you"');

    // JSON for scripts.
    const json = io(server.fake.url);
    expect(await runCli(['simulate', '--workspace', file, '--json'], json)).toBe(1);
    const parsed = JSON.parse(json.stdout()) as { report: { failed: number; runs: { runId: number }[] }; comparison: { simulations: { change: string }[] } };
    expect(parsed.report.failed).toBe(1);
    expect(parsed.comparison.simulations[0]!.change).toBe('still_failing');
    expect(json.stderr()).toContain('Estimated cost:');

    // Replay needs no model at all.
    await server.fake.close();
    server = undefined;
    const replayed = io();
    expect(await runCli(['simulate', '--workspace', file, '--replay', String(runId)], replayed)).toBe(1);
    expect(replayed.stdout()).toContain('The replay reproduced the recorded run exactly.');
    expect(replayed.stdout()).toContain('✗ criterion "greets" (agent) — judge: No greeting.');

    const reviewed = io();
    expect(await runCli(['simulations', 'review', String(runId), '--workspace', file, '--criterion', 'greets', '--overrule', '--note', 'It did greet.'], reviewed)).toBe(0);
    expect(reviewed.stdout()).toContain(`Run ${runId} now counts as passed.`);
    expect(reviewed.stdout()).toContain('Judge–human agreement in this workspace: 0% of 1 reviewed verdict.');
    const shown = io();
    expect(await runCli(['simulations', 'show', String(runId), '--workspace', file], shown)).toBe(0);
    expect(shown.stdout()).toContain('failed (passed after review)');
    expect(shown.stdout()).toContain('✓ [criterion] greets: No greeting. (agent) — reviewed: overrule ("It did greet.")');
    // The trace says the step by its title; the id only with --verbose, for an engineer.
    expect(shown.stdout()).toContain('  step “Greet”\n');
    expect(shown.stdout()).not.toMatch(/step:/);
    const verbose = io();
    expect(await runCli(['simulations', 'show', String(runId), '--workspace', file, '--verbose'], verbose)).toBe(0);
    expect(verbose.stdout()).toContain('  step “Greet” [step:greet]\n');
    const listed = io();
    expect(await runCli(['simulations', 'list', '--workspace', file], listed)).toBe(0);
    expect(listed.stdout()).toMatch(/Greeting \/ always-fails: failed \(run \d+,/);
  });

  it('says what is wrong with how it was called', async () => {
    const file = await exampleWorkspace();
    const out = io('http://127.0.0.1:1');
    expect(await runCli(['simulate', '--workspace', file, '--repeat', '0'], out)).toBe(2);
    expect(out.stderr()).toContain('--repeat takes a whole number from 1 to 100 (got "0")');
    const none = io('http://127.0.0.1:1');
    expect(await runCli(['simulate', '--workspace', file, '--tag', 'nothing'], none)).toBe(1);
    expect(none.stderr()).toContain('No simulations match with the tag nothing: nothing was run.');
    const workspace = Workspace.open(file);
    workspace.simulations.save('Damaged order claim', 'x', { customer: { persona: 'x' } });
    workspace.close();
    const unconfigured = io();
    // The arguments were right: one line saying how to configure a model, the runtime-error code, no usage text.
    expect(await runCli(['simulate', '--workspace', file], unconfigured)).toBe(1);
    expect(unconfigured.stderr()).toBe(`${NO_MODEL}\n`);
    expect(NO_MODEL).toMatch(/ANTHROPIC_API_KEY.*Settings/);
    const replay = io();
    expect(await runCli(['simulate', '--workspace', file, '--replay', '7', '--repeat', '2'], replay)).toBe(2);
  });
});

describe('stepwise simulations import-tau2', () => {
  it('imports the τ²-bench fixture and prints how many simulations it created', async () => {
    const file = await exampleWorkspace();
    const out = io();
    const tasks = resolve(repoRoot, 'tests/fixtures/tau2/retail-tasks.json');
    expect(await runCli(['simulations', 'import-tau2', tasks, '--workspace', file, '--procedure', 'Refund request'], out)).toBe(0);
    expect(out.stdout()).toContain('Created 3 simulations for "Refund request"');
    const bad = io();
    expect(await runCli(['simulations', 'import-tau2', tasks, '--workspace', file, '--procedure', 'Nope'], bad)).toBe(1);
    expect(bad.stderr()).toContain('There is no Procedure called "Nope"');
  });
});
