// The simulations screen in Chromium, against browser mode, with the fake Messages API playing the
// agent, the customer and the judge through the real SDK: a suite shows its progress, then a pass;
// the coverage overlay marks the branches no run reached; after the Procedure loses its lookup the
// same run fails and the regression is flagged; a review changes the agreement rate; a wrong field
// is shown next to it and nothing is saved; axe-core finds nothing serious. Screenshots go to
// tests/artifacts/simulations-*.png.
// Named apart: `performance` in the page's evaluate callbacks must stay the page's own.
import { performance as nodePerformance } from 'node:perf_hooks';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/chromium';
import { AUTO_RERUN_KEY, autoRerunSettingsSchema } from '../../main/simulations/auto-rerun';
import { startFakeAnthropic, toolCall, type FakeAnthropic } from '../support/fake-anthropic';
import { crm, LOST_PARCEL, models, ORDER, ORDER_WITHOUT_LOOKUP, SIMULATION, simulationScript } from '../api/simulations-fixtures';
import { LOST_PARCEL_DRAFT } from '../api/authoring-fixtures';
import { startApp, type RunningApp } from './support/app';
import { answerDialog, fitGraph } from './support/editor';
import { axeViolations } from './support/a11y';

const PROCEDURE = 'Order status';

let browser: Browser;
let app: RunningApp;
let fake: FakeAnthropic;
/** The fake model's script: each agent answer waits 700 ms, long enough to watch the progress. */
let script = simulationScript({ agentDelayMs: 700 });

const call = (method: string, input: unknown) => app.call(method, input);

beforeAll(async () => {
  // Each agent answer waits, so the progress is there to see before the pass.
  fake = await startFakeAnthropic((request) => script(request));
  browser = await launchChromium();
  // With Python: the replay test's lookup is mocked by a handler that changes the world.
  app = await startApp(browser, { python: true });
  app.mode.engine.workspace.connectors.save(crm);
  await call('procedures.create', { name: PROCEDURE });
  await call('procedures.saveDraft', { name: PROCEDURE, text: ORDER + LOST_PARCEL });
  await call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-test-key' });
  await call('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition: SIMULATION });
  try {
    await app.page.goto(app.mode.server.url);
    // The launch token rides in the URL's hash: the app reads it first, then the screen is opened.
    await app.page.locator(`li[data-procedure="${PROCEDURE}"] a`).click();
    await app.page.getByRole('button', { name: 'Simulations' }).click();
    await app.page.getByTestId('simulation-row').first().waitFor();
  } catch (error) {
    // Say what the page shows instead, and what it logged.
    throw new Error(`${(error as Error).message}\nThe page: ${(await app.page.locator('body').textContent())?.slice(0, 600)}\nProblems: ${app.problems.join('\n').slice(0, 2000)}`);
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  await browser?.close();
  await fake?.close();
});

async function runAll(page: Page) {
  await page.getByRole('button', { name: 'Run all' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  // The estimate is shown before anything runs.
  expect(await dialog.textContent()).toMatch(/1 run, about [\d,]+ tokens/);
  await answerDialog(page, null, 'Run');
}

describe('the simulations screen', () => {
  it('runs the suite: progress first, then a pass, the row updated', async () => {
    const { page } = app;
    const row = page.getByTestId('simulation-row').first();
    expect(await row.getAttribute('data-status')).toBe('never');
    await runAll(page);
    await expect.poll(() => page.getByTestId('suite-status').textContent()).toBe('Running');
    expect(await page.getByTestId('suite-progress').getByRole('progressbar').isVisible()).toBe(true);
    expect(await page.getByTestId('suite-progress').textContent()).toContain('0 / 1');
    await app.screenshot('simulations-running');
    await expect.poll(() => page.getByTestId('suite-status').textContent(), { timeout: 30_000 }).toBe('Passed');
    expect(await page.getByTestId('suite-progress').textContent()).toContain('1 / 1');
    expect(await page.getByTestId('suite-progress').textContent()).toContain('1 passed');
    await expect.poll(() => row.getAttribute('data-status')).toBe('passed');
    expect(await row.textContent()).toMatch(/draft [0-9a-f]{7}/);
    await app.screenshot('simulations-passed');
  }, 60_000);

  it('the coverage overlay marks the branches no run reached, and the steps one did', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: /Coverage/ }).click();
    const graph = page.getByTestId('coverage-graph');
    await graph.locator('[data-coverage]').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => graph.locator('[data-kind="branch"][data-coverage="unreached"]').count()).toBe(2);
    expect(await graph.locator('[data-kind="step"][data-coverage="reached"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('coverage-summary').textContent()).toContain('Not reached');
    await fitGraph(page);
    await app.screenshot('simulations-coverage');
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);

  it('after the Procedure loses its lookup, the same run fails and the regression is flagged', async () => {
    const { page } = app;
    // Another window edits the Procedure: the screen hears of it and marks the last result stale.
    await call('procedures.saveDraft', { name: PROCEDURE, text: ORDER_WITHOUT_LOOKUP + LOST_PARCEL });
    await expect.poll(() => page.getByTestId('simulation-row').first().textContent()).toContain('(stale)');
    await runAll(page);
    await expect.poll(() => page.getByTestId('suite-status').textContent(), { timeout: 30_000 }).toBe('Failed');
    expect(await page.getByTestId('suite-progress').textContent()).toContain('1 failed');
    const banner = page.getByText('"Where is order 7" passed before and fails now.');
    await banner.waitFor();
    expect(await page.locator('.sim-comparison li[data-change="newly_failing"]').count()).toBe(1);
    await page.getByRole('button', { name: /what changed in the Procedure/ }).click();
    expect(await page.getByLabel('Procedure diff').textContent()).toContain('-Look the order up with @crm.lookup');
    await app.screenshot('simulations-regression');
  }, 60_000);

  it('a result shows the verdict, the failed check and whose failure it is; a review changes the agreement rate', async () => {
    const { page } = app;
    await page.locator('.sim-comparison li[data-change="newly_failing"] button').click();
    await expect.poll(() => page.getByTestId('run-verdict').textContent()).toBe('Failed');
    expect(await page.getByText('It is put down to the agent.').count()).toBe(1);
    expect(await page.getByTestId('check').filter({ hasText: 'crm.lookup' }).locator('[aria-label="failed"]').count()).toBe(1);
    expect(await page.getByRole('list', { name: 'Transcript' }).textContent()).toContain('Where is my order 7?');
    // The run's trace (the preview's timeline) in the Procedure's words: step titles, no internal ids.
    const runTrace = page.getByRole('list', { name: 'Trace of the run events' });
    await runTrace.evaluate((element) => (element.scrollTop = 0));
    await expect.poll(() => runTrace.locator('.trace-row[data-type="step_enter"]').first().textContent()).toBe('Entered “Look it up”');
    expect((await runTrace.locator('.trace-row').allTextContents()).filter((row) => /step:|unknown step/.test(row))).toEqual([]);
    expect(await page.getByTestId('agreement').textContent()).toBe('No reviews yet');
    await page.getByRole('button', { name: 'Overrule the judge on tells the status' }).click();
    await answerDialog(page, 'It never gave the status, but the judge passed it.', 'Overrule');
    await expect.poll(() => page.getByTestId('agreement').textContent()).toBe('Judge agreement 0% of 1');
    expect(await page.getByTestId('review').textContent()).toContain('You overruled the judge');
    await page.getByRole('button', { name: 'Agree with the judge on tells the status' }).click();
    await answerDialog(page, '', 'Agree');
    await expect.poll(() => page.getByTestId('agreement').textContent()).toBe('Judge agreement 100% of 1');
    await app.screenshot('simulations-result');
    expect(await axeViolations(page)).toEqual([]);
    // Improve with AI: a diff to accept or reject; rejecting it changes nothing.
    const draftBefore = ((await call('procedures.get', { name: PROCEDURE })) as { draftText: string }).draftText;
    await page.getByRole('button', { name: 'Improve with AI' }).click();
    await answerDialog(page, 'It must look the order up before it tells the status.', 'Propose a change');
    const improvement = page.getByTestId('improvement');
    await improvement.waitFor({ timeout: 30_000 });
    expect(await improvement.getByLabel('Proposed diff').textContent()).toContain('+Look the order up with @crm.lookup');
    await app.screenshot('simulations-improve');
    expect(await axeViolations(page)).toEqual([]);
    await improvement.getByRole('button', { name: 'Reject' }).click();
    await improvement.waitFor({ state: 'detached' });
    expect(((await call('procedures.get', { name: PROCEDURE })) as { draftText: string }).draftText).toBe(draftBefore);
    // The same screen in the dark theme.
    await page.getByTestId('theme-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.mouse.move(0, 0);
    await app.screenshot('simulations-result-dark');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('theme-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  }, 60_000);

  it('the editor shows a wrong field next to it and saves nothing; the YAML view round-trips', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Where is order 7', exact: true }).click();
    const editor = page.getByRole('region', { name: 'Simulation Where is order 7' });
    await editor.waitFor();
    await editor.getByLabel('Persona').fill('');
    await editor.getByRole('button', { name: 'Save' }).click();
    expect(await editor.getByRole('alert').first().textContent()).toBe('describe the simulated customer');
    expect(await editor.getByLabel('Persona').getAttribute('aria-invalid')).toBe('true');
    await app.screenshot('simulations-editor-invalid');
    const stored = (await call('simulations.get', { procedure: PROCEDURE, name: 'Where is order 7' })) as { definition: { customer: { persona: string } } };
    expect(stored.definition.customer.persona).toBe('Sam, in a hurry.');
    expect(await axeViolations(page)).toEqual([]);

    await editor.getByLabel('Persona').fill('Sam, in a real hurry.');
    await editor.getByRole('tab', { name: 'YAML / JSON' }).click();
    const raw = editor.getByLabel('Definition (YAML or JSON)');
    expect(await raw.inputValue()).toContain('persona: Sam, in a real hurry.');
    await raw.fill((await raw.inputValue()).replace('maxTurns: 3', 'maxTurns: 4'));
    await editor.getByRole('tab', { name: 'Form' }).click();
    expect(await editor.getByLabel('Customer messages before the run is cut off').inputValue()).toBe('4');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => ((await call('simulations.get', { procedure: PROCEDURE, name: 'Where is order 7' })) as { definition: { maxTurns: number; customer: { persona: string } } }).definition).toMatchObject({ maxTurns: 4, customer: { persona: 'Sam, in a real hurry.' } });
    expect(app.problems).toEqual([]);
  }, 60_000);

  it('the Procedure screen: the latest suite as a badge, the publish gate asking first, and the auto re-run’s badge after a save', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Procedure', exact: true }).click();
    await page.locator('[data-testid="editor"] .view-lines').waitFor();
    await expect.poll(() => page.getByTestId('simulations-badge').textContent()).toBe('Simulations: 1 of 1 failing');

    // Publishing a draft whose simulation fails on it asks first; cancelling publishes nothing.
    await page.getByRole('button', { name: 'Publish…' }).click();
    const gate = page.getByRole('dialog', { name: `Publish "${PROCEDURE}" anyway?` });
    await gate.waitFor();
    expect(await gate.textContent()).toContain('1 simulation of "Order status" fails on this text: Where is order 7');
    await app.screenshot('simulations-publish-gate');
    // The dialog itself (the editor behind it is the Procedure screen's, checked by design.test.ts).
    expect(await axeViolations(page, '[role="dialog"]')).toEqual([]);
    await answerDialog(page, null, 'Cancel');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(((await call('procedures.get', { name: PROCEDURE })) as { live: unknown }).live).toBeNull();

    // With the auto re-run on, a save re-runs the simulations on the new draft, and the badge says so.
    app.mode.engine.workspace.settings.set(AUTO_RERUN_KEY, autoRerunSettingsSchema, { enabled: true, concurrency: 1, repeat: 1 });
    await call('procedures.saveDraft', { name: PROCEDURE, text: ORDER + LOST_PARCEL });
    await expect.poll(() => page.getByTestId('simulations-badge').textContent(), { timeout: 30_000 }).toBe('Auto re-run: 1 of 1 passed');
    await app.screenshot('simulations-auto-rerun-badge');
    expect(app.problems).toEqual([]);
  }, 90_000);

  it('stays responsive through a 50-run suite: frame times, and the wall time against the ideal', async () => {
    const { page } = app;
    for (let index = 2; index <= 5; index++) await call('simulations.save', { procedure: PROCEDURE, name: `Where is order 7 (${index})`, definition: SIMULATION });
    await page.getByRole('button', { name: 'Simulations', exact: true }).click();
    await expect.poll(() => page.getByTestId('simulation-row').count()).toBe(5);
    // From here the agent answers after 50 ms (the customer and the judge at once).
    script = simulationScript({ agentDelayMs: 50 });
    await page.getByRole('combobox', { name: 'Tries each (k)' }).click();
    await page.getByRole('option', { name: 'k = 10' }).click();
    await page.getByRole('combobox', { name: 'Runs at a time' }).click();
    await page.getByRole('option', { name: '10 at a time' }).click();
    // Every frame's time while the suite runs, from the page's own clock.
    await page.evaluate(() => {
      const frames: number[] = [];
      let last = performance.now();
      const tick = (now: number) => {
        frames.push(now - last);
        last = now;
        if ((window as unknown as { __stopFrames?: boolean }).__stopFrames !== true) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      (window as unknown as { __frames: number[] }).__frames = frames;
    });
    await page.getByRole('button', { name: 'Run all' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await page.getByRole('dialog').textContent()).toContain('50 runs');
    // The engine runs in this process (browser mode): its thread's busy time while the suite runs.
    const loop = nodePerformance.eventLoopUtilization();
    await answerDialog(page, null, 'Run');
    await expect.poll(() => page.getByTestId('suite-status').textContent(), { timeout: 60_000 }).toBe('Passed');
    const engineBusy = nodePerformance.eventLoopUtilization(loop).active;
    const frames = await page.evaluate(() => {
      (window as unknown as { __stopFrames: boolean }).__stopFrames = true;
      return (window as unknown as { __frames: number[] }).__frames;
    });
    expect(await page.getByTestId('suite-progress').textContent()).toContain('50 / 50');
    const sorted = [...frames].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
    const latest = (await call('simulations.latestSuite', { procedure: PROCEDURE })) as { suiteId: number };
    const report = app.mode.engine.workspace.simulations.suites.get(latest.suiteId)!.report as { wallMs: number };
    // Ideal: 50 runs, 10 at a time, each two agent answers of 50 ms (the lookup, the reply): 5 waves of 100 ms.
    const ideal = Math.ceil(50 / 10) * 2 * 50;
    console.log(`[simulations e2e] 50 runs at concurrency 10, agent 50 ms: wall ${report.wallMs} ms (ideal ${ideal} ms, ${(report.wallMs / ideal).toFixed(2)}x; the engine's thread busy ${engineBusy.toFixed(0)} ms); UI frames ${frames.length}, p95 ${p95.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
    expect(p95).toBeLessThan(50);
    // The wall-time figure's guard, light enough not to flake on a loaded machine (bench/simulations-app.bench.ts
    // measures the figure itself): the suite takes no longer than the model waits' critical path (with the
    // figure's 25%) plus the time the engine was actually working, and a quarter of the wall for the
    // scheduler's delays; a suite that waits on nothing (runs serialized, concurrency lost) does not fit.
    expect(report.wallMs).toBeLessThanOrEqual(1.25 * ideal + engineBusy + 0.25 * report.wallMs);
  }, 120_000);

  it('suggests simulations for the uncovered branches: each a diff to accept or reject, nothing saved silently', async () => {
    const { page } = app;
    await page.getByRole('tab', { name: /Coverage/ }).click();
    await page.getByRole('button', { name: 'Suggest simulations for the 2 uncovered branches' }).click();
    await expect.poll(() => page.getByTestId('proposal').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('simulation-row').count()).toBe(5);
    const [first, second] = await page.getByTestId('proposal').locator('strong').allTextContents();
    expect(await page.getByLabel(`What accepting ${first!} adds`).textContent()).toContain('+ customer:');
    await app.screenshot('simulations-suggested');
    await page.getByRole('button', { name: `Reject ${first!}` }).click();
    await page.getByRole('button', { name: `Accept ${second!}` }).click();
    await expect.poll(() => page.getByTestId('simulation-row').count()).toBe(6);
    const names = await page.getByTestId('simulation-row').locator('.sims-item-name').allTextContents();
    expect(names).toContain(second);
    expect(names).not.toContain(first);
    expect(await page.getByTestId('proposal').count()).toBe(0);
    expect(app.problems).toEqual([]);
  }, 60_000);

  it('checks suite strength: the cost asked about first, then killed and surviving mutants with the score, and a suggestion for a survivor', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Check suite strength' }).click();
    const dialog = page.getByRole('dialog', { name: 'Check suite strength' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/\d+ mutants of the draft .* then on each mutant: \d+ runs, about [\d,]+ tokens/);
    await answerDialog(page, null, 'Run the mutants');
    await page.getByTestId('mutation-score').waitFor({ timeout: 90_000 });
    expect(await page.locator('[data-testid="mutant"][data-status="killed"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="mutant"][data-status="survived"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="mutant"][data-status="killed"]').filter({ hasText: 'crm.lookup' }).count()).toBe(1);
    expect(await page.getByText('Recorded runs are not reused for mutants', { exact: false }).count()).toBe(1);
    // The note stands above the first mutant's card, not over it.
    const note = (await page.locator('[aria-label="Suite strength"] .sw-banner-info').boundingBox())!;
    const firstCard = (await page.locator('[data-testid="mutant"]').first().boundingBox())!;
    expect(note.y + note.height).toBeLessThanOrEqual(firstCard.y);
    await app.screenshot('simulations-mutation');
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-testid="mutant"][data-status="survived"]').first().getByRole('button', { name: /Suggest a simulation that would catch/ }).click();
    await expect.poll(() => page.getByTestId('proposal').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(app.problems).toEqual([]);
  }, 150_000);

  it('shows the final world against the starting one, and replays a run exactly with the model server stopped', async () => {
    const { page } = app;
    const name = 'Where is order 7 (2)';
    // The lookup's mock now notes each order looked up in the world, as a CRM's audit log would.
    app.mode.engine.workspace.connectors.save({ ...crm, actions: [{ ...crm.actions[0]!, mocks: { handler: ['attributes["world"].setdefault("lookups", []).append(str(data["input"]["id"]))', 'return {"response": {"status": "shipped"}}'] } }] });
    const { suiteId } = (await call('simulations.run', { selection: { procedure: PROCEDURE, names: [name] }, options: { repeat: 1, concurrency: 1 } })) as { suiteId: number };
    await expect.poll(async () => ((await call('simulations.suite', { suiteId })) as { status: string }).status, { timeout: 60_000 }).toBe('finished');
    const runId = app.mode.engine.workspace.simulations.suites.runIds(suiteId)[0]!;
    const row = page.getByTestId('simulation-row').filter({ hasText: name });
    await row.getByRole('button', { name: `Passed: open run ${runId} of ${name}` }).click();
    await expect.poll(() => page.getByTestId('run-verdict').textContent()).toBe('Passed');
    const world = page.getByTestId('final-world').first();
    expect(await world.textContent()).toContain('Started from shop; 1 change.');
    expect(await world.getByTestId('world-change').textContent()).toMatch(/lookups\s*added.*—.*\["7"\]/);
    await world.getByText('The whole final world').click();
    expect(await world.locator('.sim-world-tree').textContent()).toContain('lookups');
    await app.screenshot('simulations-final-world');
    expect(await axeViolations(page)).toEqual([]);

    await fake.close();
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => page.getByTestId('toast').textContent(), { timeout: 30_000 }).toContain('Replayed exactly');
    expect(await page.getByTestId('toast').textContent()).toContain('came out the same (passed)');
    // The replay's own final world, as stored: the same change.
    const replay = page.getByTestId('replay');
    await replay.waitFor();
    expect(await replay.textContent()).toContain('the same as this run');
    expect(await replay.getByTestId('world-change').textContent()).toMatch(/lookups\s*added.*—.*\["7"\]/);
    expect(app.problems).toEqual([]);
  }, 90_000);

  it('drafts a Procedure with AI from an outline, an article and a transcript: an error shown and nothing saved, a proposal rejected, then one accepted opens as a new draft', async () => {
    const { page } = app;
    // A new model server plays the author: first it fails, then it drafts the lost parcel Procedure.
    let failing = true;
    fake = await startFakeAnthropic(() => (failing ? { status: 400, error: { type: 'invalid_request_error', message: 'model: no such model' } } : toolCall('write_procedure', { text: LOST_PARCEL_DRAFT, summary: 'Drafted from the outline.' })));
    await call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-test-key' });
    const procedures = async () => ((await call('procedures.list', {})) as { name: string }[]).map((procedure) => procedure.name);
    const before = await procedures();

    await page.getByRole('button', { name: 'Procedure', exact: true }).click();
    await page.getByRole('button', { name: 'Draft with AI' }).click();
    const dialog = page.getByRole('dialog', { name: 'Draft a Procedure with AI' });
    await dialog.waitFor();
    expect(await dialog.getByRole('button', { name: 'Draft', exact: true }).isDisabled()).toBe(true);
    await dialog.getByLabel('Outline').fill('When a parcel never arrives: get the order number, say sorry, send it again.');
    await dialog.getByLabel('Knowledge articles').fill('order number');
    const hit = dialog.getByRole('list', { name: 'Matching articles' }).getByRole('listitem').first();
    const title = (await hit.locator('.sim-draft-title').textContent())!;
    await hit.getByRole('button', { name: `Add the article ${title}` }).click();
    expect(await dialog.getByRole('list', { name: 'Chosen articles' }).textContent()).toContain(title);
    await dialog.getByRole('button', { name: 'Add a past transcript' }).click();
    await dialog.getByLabel('Past transcript 1').fill('customer: my parcel never came\nagent: so sorry!');
    expect(await axeViolations(page, '[role="dialog"]')).toEqual([]);

    // The model refuses: the reason is shown, the form kept, nothing saved.
    await dialog.getByRole('button', { name: 'Draft', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').filter({ hasText: 'No draft' }).textContent(), { timeout: 30_000 }).toContain('The author model refused the request');
    expect(await dialog.getByLabel('Outline').inputValue()).toContain('When a parcel never arrives');
    expect(await procedures()).toEqual(before);
    await app.screenshot('draft-procedure-error');

    // The proposal as a diff; rejecting it saves nothing.
    failing = false;
    await dialog.getByRole('button', { name: 'Draft', exact: true }).click();
    const proposal = dialog.getByTestId('draft-proposal');
    await proposal.waitFor({ timeout: 30_000 });
    expect(await proposal.getByLabel('Proposed Procedure').textContent()).toContain('+name: Lost parcel');
    expect(await proposal.textContent()).toContain('Drafted from the outline.');
    const asked = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(asked).toContain('When a parcel never arrives');
    expect(asked).toContain(title.replace(/"/g, "'"));
    expect(asked).toContain('my parcel never came');
    await app.screenshot('draft-procedure-proposal');
    expect(await axeViolations(page, '[role="dialog"]')).toEqual([]);
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await proposal.waitFor({ state: 'detached' });
    expect(await procedures()).toEqual(before);

    // Accepted: a new draft, opened in the editor.
    await dialog.getByRole('button', { name: 'Draft', exact: true }).click();
    await proposal.waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Accept and open' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('li[data-procedure="Lost parcel"]').getAttribute('class')).toContain('selected');
    expect(((await call('procedures.get', { name: 'Lost parcel' })) as { draftText: string; live: unknown }).draftText).toBe(LOST_PARCEL_DRAFT);
    expect((await procedures()).sort()).toEqual([...before, 'Lost parcel'].sort());
    expect(app.problems).toEqual([]);
  }, 90_000);
});
