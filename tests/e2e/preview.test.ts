// The chat preview in Chromium, against browser mode: compare mode on the draft and the live
// version of one Procedure, which the fake Messages API (through the real SDK) plays as the agent.
// The two versions decide differently (a Python condition on a connector's result): the draft
// hands off to the Orders team, the live version answers and ends. Checked: text on screen before
// the reply is complete, both panes answering one message with the place they part marked, the
// active step and the path on the graph (nodes and edges), the connector call and the Python condition in the trace,
// an event selecting its node's text, the handoff's team and summary, a model failure shown with
// nothing lost, the preview's own tab, and axe-core on the preview. Screenshots in tests/artifacts.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/chromium';
import { startFakeAnthropic, toolCalls, type FakeAnthropic, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';
import { answerDialog, editorSelection } from './support/editor';
import { ARTIFACTS, startApp, type RunningApp } from './support/app';
import { axeViolations } from './support/a11y';
import { crm } from '../api/preview-fixtures';
import { parcelCheck } from '../fixtures/parcel-check';

// The mock answers "shipped": the draft hands off, the live version answers.
const LIVE = parcelCheck('lost');
const DRAFT = parcelCheck('shipped');

const REPLY = 'Your parcel 7 has shipped and is on its way: it should reach you within two working days.';

/** The agent: looks the order up; then replies and ends, or hands off when the Procedure requires it; the message "Simulate an outage" meets a refused request. */
function agent(request: RecordedRequest): FakeResponse {
  const sent = JSON.stringify(request.body.messages);
  const lastCustomer = sent.lastIndexOf('<customer_message>');
  if (sent.slice(lastCustomer).includes('Simulate an outage')) return { status: 400, error: { type: 'invalid_request_error', message: 'prompt is too long' } };
  if (!sent.slice(lastCustomer).includes('tool_result')) return toolCalls(['set_attributes', { values: { order_id: '7' } }], ['crm__lookup', { id: '7' }]);
  if (sent.includes('requires a handoff')) return toolCalls(['handoff', { team: 'Orders team', summary: 'Parcel 7 shows as shipped; the customer needs a person.' }]);
  return { ...toolCalls(['reply', { message: REPLY }], ['end_procedure', { summary: 'Told the status.' }]), chunkDelayMs: 25 };
}

let browser: Browser;
let app: RunningApp;
let fake: FakeAnthropic;

const call = async (method: string, input: unknown) => (await app.call(method, input)) as Record<string, unknown>;

beforeAll(async () => {
  fake = await startFakeAnthropic(agent);
  browser = await launchChromium();
  app = await startApp(browser, { python: true });
  app.mode.engine.workspace.connectors.save(crm);
  await call('settings.save', { provider: 'anthropic', baseURL: fake.url, models: { agent: 'claude-e2e-agent', customer: 'c', judge: 'j', author: 'a' }, apiKey: 'sk-e2e' });
  await call('procedures.create', { name: 'Parcel check' });
  const saved = await call('procedures.saveDraft', { name: 'Parcel check', text: LIVE });
  await call('procedures.publish', { name: 'Parcel check', note: 'live', expectedHash: saved.draftHash });
  await call('procedures.saveDraft', { name: 'Parcel check', text: DRAFT });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await browser?.close();
  await fake?.close();
});

const pane = (page: Page, label: string) => page.getByRole('region', { name: label, exact: true });

describe('the chat preview', () => {
  it('compares the draft with live: one message to both, the reply streamed, the divergence, the path and the trace', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.goto(app.mode.server.url);
    await page.goto(`${app.mode.server.origin}/#/procedures/${encodeURIComponent('Parcel check')}`);
    await page.getByRole('button', { name: 'Compare draft with live' }).click();
    const left = pane(page, 'Left pane');
    const right = pane(page, 'Right pane');
    await right.waitFor();
    await app.screenshot('preview-compare-start');
    // Starting attributes are checked against the declared types: order_id is text.
    await left.getByRole('button', { name: 'Options' }).click();
    const options = page.getByRole('dialog', { name: 'Left pane options' });
    await options.getByLabel('Starting attributes (JSON)').fill('{"order_id": 7}');
    await page.keyboard.press('Escape');
    await left.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => left.getByRole('alert').first().textContent()).toContain('order_id must be text');
    await left.getByRole('button', { name: 'Options' }).click();
    await options.getByLabel('Starting attributes (JSON)').fill('{"order_id": "7"}');
    await page.keyboard.press('Escape');
    await left.getByRole('button', { name: 'Start' }).click();
    await right.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => right.locator('.trace-row').count()).toBeGreaterThan(0);

    // Every text the streaming bubble shows, as it shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { streamed: string[] }).streamed = seen;
      new MutationObserver(() => {
        for (const bubble of Array.from(document.querySelectorAll('[data-testid="bubble-streaming"]'))) if (bubble.textContent && seen.at(-1) !== bubble.textContent) seen.push(bubble.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel('Customer message').fill('Where is parcel 7?');
    await page.getByRole('button', { name: 'Send' }).click();

    // The live version answers; its text was on screen before it was whole.
    await expect.poll(() => right.getByTestId('bubble-agent').textContent(), { timeout: 30_000 }).toBe(REPLY);
    const streamed = await page.evaluate(() => (window as unknown as { streamed: string[] }).streamed);
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed[0]!.length).toBeLessThan(REPLY.length);
    expect(REPLY.startsWith(streamed[0]!)).toBe(true);

    // The draft hands off, with its team and summary.
    await expect.poll(() => left.getByTestId('preview-outcome').textContent(), { timeout: 30_000 }).toContain('Orders team');
    const handoff = left.locator('.trace-row[data-type="handoff"] button');
    await handoff.click();
    await expect.poll(() => left.getByTestId('trace-details').textContent()).toContain('Parcel 7 shows as shipped; the customer needs a person.');

    // Where they part: the Python condition's branch.
    // In the Procedures' words: each pane's branch labels come from the text it ran on.
    await expect.poll(() => page.getByTestId('divergence').textContent()).toBe('Parts at “Decide”: the draft took “status from crm.lookup is ‘shipped’”, the live version took “Otherwise”.');
    expect(await left.locator('.trace-row.marked[data-type="condition"]').count()).toBe(1);
    expect(await right.locator('.trace-row.marked[data-type="condition"]').count()).toBe(1);
    // The place they part is brought into view in each timeline, not left below the fold.
    for (const side of [left, right]) {
      const inView = await side.locator('.trace-row.marked').evaluate((row) => {
        const viewport = row.closest('.trace-viewport')!.getBoundingClientRect();
        const box = row.getBoundingClientRect();
        return box.top >= viewport.top - 1 && box.bottom <= viewport.bottom + 1;
      });
      expect(inView).toBe(true);
    }

    // The connector call and the Python condition are in the trace, in words.
    await expect.poll(() => left.locator('.trace-row[data-type="connector_call"]').textContent()).toContain('Connector crm.lookup');
    const condition = left.locator('.trace-row[data-type="condition"] button');
    expect(await condition.textContent()).toContain('“Decide” took “status from crm.lookup is ‘shipped’”');
    expect(await right.locator('.trace-row[data-type="condition"] button').textContent()).toContain('“Decide” took “Otherwise”: “status from crm.lookup is ‘lost’” was false');
    // Picking it selects the condition's text in the editor.
    await condition.click();
    await expect.poll(() => editorSelection(page)).toContain('data["crm.lookup"]["status"] == "shipped"');
    await left.getByRole('button', { name: 'Raw' }).click();
    expect(await left.locator('.trace-raw').textContent()).toContain('"kind": "python"');
    // Steps by their titles, and no row anywhere in either timeline shows an internal id.
    for (const side of [left, right]) {
      const events = side.getByRole('list', { name: /trace events/ });
      const at = await events.evaluate((element) => element.scrollTop);
      await events.evaluate((element) => (element.scrollTop = 0));
      await expect.poll(() => side.locator('.trace-row[data-type="step_enter"]').first().textContent()).toBe('Entered “Look it up”');
      const texts = await side.locator('.trace-row').allTextContents();
      expect(texts.filter((row) => /step:|\/cond\d|unknown (step|branch)/.test(row))).toEqual([]);
      // Back where it was (the place they part in view), for the screenshot.
      await events.evaluate((element, top) => (element.scrollTop = top), at);
    }
    await left.getByRole('button', { name: 'In words' }).click();

    // The graph: the draft's path is marked, its active step highlighted.
    const lookUp = page.locator('.graph-pane [data-node-id="step:look-it-up"]').first();
    const decide = page.locator('.graph-pane [data-node-id="step:decide"]').first();
    expect(await lookUp.evaluate((element) => getComputedStyle(element).boxShadow)).not.toBe('none');
    expect(await decide.evaluate((element) => getComputedStyle(element).boxShadow)).toMatch(/\d+px/);
    expect(await page.locator('.graph-pane style').textContent()).toContain('[data-node-id="step:decide"] { box-shadow: 0 0 0 3px');

    await app.screenshot('preview-compare');
    // The graph's toolbar wraps in the narrow compare layout rather than clip a button ("Dele").
    const clipped = await page.getByRole('toolbar', { name: 'Graph edits' }).evaluate((bar) => {
      const box = bar.getBoundingClientRect();
      return Array.from(bar.querySelectorAll('button'))
        .filter((button) => {
          const rect = button.getBoundingClientRect();
          return rect.right > box.right + 0.5 || rect.bottom > box.bottom + 0.5;
        })
        .map((button) => button.textContent);
    });
    expect(clipped).toEqual([]);
    expect(await axeViolations(page, '[data-testid="preview-panel"]')).toEqual([]);

    // The path on the edges too: from the trigger through both steps and the branch the draft's
    // Python test took, to the handoff. The branch not taken, and the end after it, are not marked.
    const edge = (id: string) => page.locator(`.graph-pane .react-flow__edge[data-id="${id}"]`);
    const taken = ['trigger->step:look-it-up', 'step:look-it-up->step:decide', 'step:decide->step:decide/cond1', 'step:decide/cond1->step:decide/cond1/b1', 'step:decide/cond1/b1->step:decide/handoff:orders-team'];
    const notTaken = ['step:decide/cond1->step:decide/cond1/b2', 'step:decide/cond1/b2->step:decide/end1'];
    await expect.poll(() => page.locator('.graph-pane .react-flow__edge.on-path').evaluateAll((edges) => edges.map((element) => element.getAttribute('data-id')).sort())).toEqual([...taken].sort());
    for (const id of notTaken) {
      await expect.poll(() => edge(id).count()).toBe(1);
      expect(await edge(id).getAttribute('class')).not.toContain('on-path');
    }
    // Not by colour alone: a thicker, solid stroke and an arrowhead of its own.
    const stroke = (id: string) => edge(id).locator('path.react-flow__edge-path').evaluate((path) => ({ width: parseFloat(getComputedStyle(path).strokeWidth), dash: getComputedStyle(path).strokeDasharray, marker: path.getAttribute('marker-end') }));
    const onPath = await stroke(taken[3]!);
    const off = await stroke(notTaken[0]!);
    expect(onPath.width).toBeGreaterThanOrEqual(off.width * 2);
    expect(onPath.dash).toBe('none');
    expect(onPath.marker).not.toBe(off.marker);
    // Shown at fit, in both themes, and close up.
    const graphPane = page.locator('.graph-pane');
    await graphPane.getByRole('button', { name: 'Fit view' }).click();
    await app.screenshot('preview-path-edges');
    for (let i = 0; i < 2; i++) await graphPane.getByRole('button', { name: 'Zoom In' }).click();
    await page.waitForTimeout(400); // the zoom's animation
    await graphPane.screenshot({ path: join(ARTIFACTS, 'preview-path-edges-zoomed.png') });
    await graphPane.getByRole('button', { name: 'Fit view' }).click();
    await page.getByTestId('theme-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await app.screenshot('preview-path-edges-dark');
    await page.getByTestId('theme-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('shows a model failure in the pane, and keeps the conversation', { timeout: 60_000 }, async () => {
    const { page } = app;
    const right = pane(page, 'Right pane');
    await page.getByLabel('Customer message').fill('Simulate an outage');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => right.getByTestId('preview-error').textContent(), { timeout: 30_000 }).toContain('The model failed during this turn');
    // Nothing lost: the earlier exchange and the new message are still there.
    expect(await right.getByTestId('bubble-customer').allTextContents()).toEqual(['Where is parcel 7?', 'Simulate an outage']);
    expect(await right.getByTestId('bubble-agent').first().textContent()).toBe(REPLY);
    // The left pane's conversation is with the Orders team: told as information, not as an error.
    const left0 = pane(page, 'Left pane');
    await expect.poll(() => left0.getByTestId('preview-notice').textContent(), { timeout: 30_000 }).toContain('Orders team has this conversation now');
    expect(await left0.getByTestId('preview-error').count()).toBe(0);
    expect(await left0.getByRole('alert').count()).toBe(0);
    await app.screenshot('preview-compare-failure');

    // The final world, one click away (the lookup changed nothing in it).
    await right.getByRole('button', { name: 'World' }).click();
    await expect.poll(() => page.getByTestId('preview-world').textContent()).toContain('has not changed its mock world');
    await page.keyboard.press('Escape');

    // A node clicked on the graph filters the trace to its step.
    const left = pane(page, 'Left pane');
    await page.locator('.graph-pane [data-node-id="step:look-it-up"]').first().click();
    await expect.poll(() => left.locator('.trace-summary').textContent()).toContain('of “Look it up”');
    const rows = await left.locator('.trace-row').count();
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(12);
    await left.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(() => left.locator('.trace-summary').textContent()).not.toContain('of “');

    // Past previews are listed and reopen with their transcript.
    await page.getByRole('button', { name: 'Past previews' }).click();
    const items = page.getByRole('menu', { name: 'Past previews' }).getByRole('menuitem');
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(2);
    await items.filter({ hasText: '4 messages' }).first().click();
    await expect.poll(() => left.getByTestId('bubble-agent').first().textContent()).toBe(REPLY);
  });

  it('opens the preview in its own tab', { timeout: 60_000 }, async () => {
    const { page, context } = app;
    const opened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Open preview window' }).click();
    const tab = await opened;
    await tab.waitForLoadState();
    // The page takes the token out of its address once it has read it.
    await expect.poll(() => tab.url()).not.toContain('token=');
    expect(tab.url()).toContain('#/compare/Parcel%20check');
    await tab.getByRole('region', { name: 'Right pane', exact: true }).getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => tab.getByRole('region', { name: 'Right pane', exact: true }).locator('.trace-row').count()).toBeGreaterThan(0);
    await tab.close();
  });

  it('saves a conversation as a simulation, opens it for editing, and the command line lists it', { timeout: 60_000 }, async () => {
    const { page } = app;
    const right = pane(page, 'Right pane');
    await right.getByRole('button', { name: 'Save as simulation' }).click();
    await answerDialog(page, 'Parcel from preview', 'Save');
    await expect.poll(() => page.url()).toContain(`#/procedures/${encodeURIComponent('Parcel check')}/simulations`);
    const io = captureIo(app.home);
    expect(await runCli(['simulations', 'list', '--workspace', app.mode.engine.workspace.path], io)).toBe(0);
    expect(io.stdout()).toContain('Parcel from preview');
  });
});
