// `stepwise simulate --mutate` end to end on the example shop: the real SDK to the fake Messages API
// playing agent, customer and judge, the real runtime and sandbox. The example suite of "Damaged
// order claim" is built to kill some mutants (the scripted agent's path breaks on them) and let
// others survive (plain-language conditions the scripted agent decides the same way either way).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../../main/secrets/encrypted-file-store';
import { saveModelSettings } from '../../main/model/workspace-settings';
import type { MutationReport } from '../../main/simulations/mutation-run';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { repoRoot } from '../support/paths';
import { conversationsScript, SPARKING_KETTLE } from '../simulations/example-scripts';
import { roleOf, testSettings, useModelServers, type ModelServer } from '../simulations/helpers';
import { toolCall } from '../support/fake-anthropic';

const startModelServer = useModelServers();
let server: ModelServer | undefined;
afterEach(() => {
  server = undefined;
});

async function exampleWorkspace(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'stepwise-mutate-')), 'shop.stepwise');
  expect(await runCli(['workspace', 'init', file, '--example'], captureIo(repoRoot))).toBe(0);
  const workspace = Workspace.open(file);
  const { apiKey: _key, baseURL: _url, ...settings } = testSettings('http://127.0.0.1:1');
  await saveModelSettings(workspace, new EncryptedFileSecretStore(defaultSecretLocation(workspace.path)), settings);
  workspace.close();
  return file;
}

const io = (url: string) => ({ ...captureIo(tmpdir()), env: { ANTHROPIC_API_KEY: 'sk-mutate', ANTHROPIC_BASE_URL: url } });
const counts = (file: string) => {
  const workspace = Workspace.open(file);
  const result = { runs: workspace.simulations.lastRun(workspace.simulations.list('Damaged order claim')[0]!.id), draft: workspace.procedures.require('Damaged order claim').draftHash };
  workspace.close();
  return result;
};

describe('stepwise simulate --mutate', () => {
  it('asks for consent after the estimate: without a terminal or --yes nothing runs, and "no" runs nothing', async () => {
    const file = await exampleWorkspace();
    server = await startModelServer(conversationsScript([SPARKING_KETTLE]));
    const out = io(server.fake.url);
    expect(await runCli(['simulate', '--mutate', '--procedure', 'Damaged order claim', '--workspace', file], out)).toBe(1);
    expect(out.stdout()).toMatch(/Mutation testing of "Damaged order claim": [\d,]+ mutants to run/);
    expect(out.stdout()).toMatch(/Estimated cost: \$\d+\.\d{4} for [\d,]+ runs: the suite once on the Procedure, then once on each mutant/);
    expect(out.stderr()).toContain('Nothing was run: mutation testing runs only with consent to its cost. Run again with --yes');
    const asked: string[] = [];
    const no = Object.assign(io(server.fake.url), { ask: async (question: string) => (asked.push(question), 'n') });
    expect(await runCli(['simulate', '--mutate', '--procedure', 'Damaged order claim', '--workspace', file], no)).toBe(1);
    expect(asked[0]).toMatch(/^Run the suite on [\d,]+ mutants for about \$\d+\.\d{4}\? \[y\/N\] $/);
    expect(server.fake.requests).toHaveLength(0);
    const usage = io(server.fake.url);
    expect(await runCli(['simulate', '--mutate', '--workspace', file], usage)).toBe(2);
    expect(usage.stderr()).toContain('--mutate makes mutants of one Procedure');
    expect(await runCli(['simulate', '--mutate', '--procedure', 'Damaged order claim', '--repeat', '2', '--workspace', file], io(server.fake.url))).toBe(2);
  });

  it('kills and lets survive mutants of the example, reports the score, names surviving branches, leaves the workspace as it was', async () => {
    const file = await exampleWorkspace();
    const before = counts(file);
    server = await startModelServer(conversationsScript([SPARKING_KETTLE]));
    const out = io(server.fake.url);
    const code = await runCli(['simulate', '--mutate', '--procedure', 'Damaged order claim', '--workspace', file, '--yes', '--concurrency', '2', '--json'], out);
    const { report } = JSON.parse(out.stdout()) as { report: MutationReport };
    expect(code).toBe(0);
    expect(report.baseline).toMatchObject({ passed: ['Sparking kettle'], failed: [] });
    const by = (status: string) => report.mutants.filter((outcome) => outcome.status === status).map((outcome) => `${outcome.mutant.id} ${outcome.mutant.operator}`);
    // Broken under the scripted conversation: the claim window's test and branches, the order
    // lookup, the Safety team handoff. Untouched by it: the resolve step it never reaches, the
    // Orders and Claims handoffs, the end, and the safety test the scripted agent decides by id.
    expect(by('killed')).toEqual(['m1 flip-comparison', 'm3 swap-branches', 'm5 drop-action', 'm8 drop-handoff']);
    expect(by('survived')).toEqual(['m2 flip-comparison', 'm4 swap-branches', 'm6 drop-handoff', 'm7 drop-handoff', 'm9 drop-action', 'm10 drop-action', 'm11 drop-end', 'm12 negate-condition']);
    expect(report.mutants.find((outcome) => outcome.mutant.id === 'm12')!.mutant).toMatchObject({ branchId: 'step:understand-the-damage/cond1/b1', line: 42 });
    expect(report.mutants.find((outcome) => outcome.mutant.id === 'm1')!.killedBy).toEqual(['Sparking kettle']);
    expect(report.score).toBeCloseTo(4 / 12);
    expect(report.killed + report.survived).toBe(report.mutants.length);
    expect(report.score).toBeCloseTo(report.killed / (report.killed + report.survived));
    expect(report.replayNote).toContain('Recorded runs are not reused for mutants');
    expect(report.suitesWallMs).toBeGreaterThan(0);
    expect(report.overheadMs).toBe(Math.max(0, report.wallMs - report.suitesWallMs));
    // Each mutant ran the suite afresh: every mutant's agent calls reached the model.
    expect(server.requests('judge').length).toBe(1 + report.mutants.length - by('error').length);
    // The user's workspace is untouched: same draft, no new runs, no leftover copy.
    expect(counts(file)).toEqual(before);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('stepwise-mutants-'))).toEqual([]);
  });

  it('prints the report for people, and --suggest asks the author model for a simulation that would catch each survivor', async () => {
    const file = await exampleWorkspace();
    const conversations = conversationsScript([SPARKING_KETTLE]);
    const targets: string[][] = [];
    const prompts: string[] = [];
    server = await startModelServer((request) => {
      if (roleOf(request) !== 'author') return conversations(request);
      const asked = [...JSON.stringify(request.body.messages).matchAll(/\[target: (mutant-m\d+)\] \(at least 1\)/g)].map((match) => match[1]!);
      prompts.push(JSON.stringify(request.body.messages));
      targets.push(asked);
      return toolCall('propose_simulations', {
        simulations: asked.map((target) => ({ target, name: `Catches ${target}`, definition: { customer: { persona: `Customer for ${target}` }, criteria: [{ name: 'caught', assertion: 'The change is noticed.' }] } })),
      });
    });
    const out = io(server.fake.url);
    expect(await runCli(['simulate', '--mutate', '--procedure', 'Damaged order claim', '--workspace', file, '--yes', '--suggest'], out)).toBe(0);
    const text = out.stdout();
    expect(text).toContain('Mutation score: 0.333 (4 killed, 8 survived).');
    expect(text).toContain('Surviving mutants: no simulation really tests these places.');
    // Each place in the Procedure's words, not its ids.
    expect(text).toContain('  m12 line 42, branch “Understand the damage” → the customer describes a safety hazard such as smoke, sparks or broken glass: "the customer describes a safety hazard such as smoke, sparks or broken glass" negated');
    expect(text).toContain('  m11 line 60, step “Wrap up”: `@end` removed');
    expect(text).not.toMatch(/step:/);
    // The author model reads the survivors' places in words too.
    expect(prompts[0]).toContain('- the change at line 60, in “Wrap up”: `@end` removed [target: mutant-m11] (at least 1): No simulation notices this change at line 60, in the step “Wrap up”');
    expect(prompts[0]).not.toContain('step:');
    expect(text).toMatch(/Time: \d+\.\d s, of which \d+\.\d{2} s \(\d+\.\d%\) over running the suite once per mutant\./);
    expect(text).toContain('Recorded runs are not reused for mutants');
    expect(targets).toEqual([['mutant-m2', 'mutant-m4', 'mutant-m6', 'mutant-m7', 'mutant-m9', 'mutant-m10', 'mutant-m11', 'mutant-m12']]);
    expect(text).toContain('Suggested for m12: Catches mutant-m12 — Customer for mutant-m12');
    expect(text).toContain('These are proposals: save one to a file and add it with `simulations add <file>`.');
    // Proposals only: nothing was saved.
    const workspace = Workspace.open(file);
    expect(workspace.simulations.list('Damaged order claim').map((simulation) => simulation.name)).toEqual(['Sparking kettle']);
    workspace.close();
  });
});
