// The connectors screen in Chromium, against browser mode: a bad field is shown next to the field
// and nothing is saved; a secret's value never reaches the page (every response and event frame is
// read); "Try action" on a mock shows the response and the fields kept; an OpenAPI import creates the
// chosen actions; an MCP server (@modelcontextprotocol/server-everything) lists its tools; axe-clean
// in both themes. Screenshots go to tests/artifacts/connectors-*.png.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/chromium';
import { repoRoot } from '../support/paths';
import { startApp, type RunningApp } from './support/app';
import { axeViolations, settled } from './support/a11y';

const EVERYTHING = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const OPENAPI = join(repoRoot, 'tests/connectors/fixtures/github-issues.openapi.json');
const SECRET = 'shpat_e2e_never_shown_4711';

let browser: Browser;
let app: RunningApp;
/** Every body the page received from the engine: call responses and event frames. */
const received: string[] = [];
const calls: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  app = await startApp(browser);
  app.page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) void response.text().then((text) => received.push(text), () => undefined);
  });
  app.page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/call/')) calls.push(path.slice('/api/call/'.length));
  });
  app.page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))));
  await app.page.goto(app.mode.server.url);
  await app.page.getByRole('button', { name: 'Connectors' }).click();
  await connectorList(app.page).locator('li').first().waitFor();
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

const connectorList = (page: Page) => page.getByRole('navigation', { name: 'Connector list' });
const engineCall = async (method: string, input: unknown = {}) => (await app.call(method, input)) as Record<string, unknown>[];

async function openConnector(page: Page, name: string, tab: string) {
  await connectorList(page).locator(`li[data-connector="${name}"] button`).click();
  await page.getByRole('article', { name: `Connector ${name}` }).waitFor();
  await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
}

describe('the connectors screen', () => {
  it('lists the connectors with their actions, the Procedures using them, and their status', async () => {
    const { page } = app;
    const names = await connectorList(page).locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-connector')));
    expect(names).toEqual(expect.arrayContaining(['shop', 'payments', 'billing', 'accounts', 'tickets']));
    // No secret value is stored in a fresh workspace: each connector says so.
    expect(await connectorList(page).locator('li[data-connector="shop"]').textContent()).toContain('secrets missing');
    await openConnector(page, 'shop', 'Actions');
    const row = page.locator('tr[data-action="get_order"]');
    expect(await row.textContent()).toContain('@shop.get_order');
    expect(await row.getByRole('link').allTextContents()).toEqual(expect.arrayContaining(['Refund request']));
    await settled(page);
    await app.screenshot('connectors-list');
  });

  it('shows a bad field\'s error next to the field and saves nothing', async () => {
    const { page } = app;
    const before = JSON.stringify((await engineCall('connectors.list')).find((connector) => connector.name === 'shop'));
    await openConnector(page, 'shop', 'Settings');
    const baseUrl = page.getByLabel('Base URL', { exact: true });
    await baseUrl.fill('ftp://example-shop.myshopify.com');
    const retries = page.getByRole('group', { name: 'Action create_replacement' }).getByLabel('Retries');
    await retries.fill('3');
    const savesBefore = calls.filter((call) => call === 'connectors.save').length;
    await page.getByRole('button', { name: 'Save connector' }).click();
    expect(await baseUrl.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await baseUrl.getAttribute('aria-describedby'))!.split(' ')[0]!;
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('Base URL must start with http:// or https://');
    // The engine's rule, from the same schema: a POST is not retried without an Idempotency-Key.
    const retriesError = (await retries.getAttribute('aria-describedby'))!.split(' ')[0]!;
    expect(await page.locator(`[id="${retriesError}"]`).textContent()).toContain('is not idempotent');
    expect(await page.getByRole('alert').filter({ hasText: 'Not saved' }).count()).toBe(1);
    await baseUrl.scrollIntoViewIfNeeded();
    await page.locator('.connectors-main').evaluate((element) => element.scrollTo(0, 0));
    await settled(page);
    await app.screenshot('connectors-invalid');
    // Nothing was sent, and nothing changed.
    expect(calls.filter((call) => call === 'connectors.save').length).toBe(savesBefore);
    expect(JSON.stringify((await engineCall('connectors.list')).find((connector) => connector.name === 'shop'))).toBe(before);
    // Fixing the fields clears their errors as they are typed.
    await baseUrl.fill('https://example-shop.myshopify.com/admin/api/2024-10');
    await retries.fill('');
    expect(await baseUrl.getAttribute('aria-invalid')).toBeNull();
  });

  it('sets and replaces a secret by name without its value ever reaching the page', async () => {
    const { page } = app;
    await openConnector(page, 'shop', 'Secrets');
    const secret = page.locator('li[data-secret="shopify_admin_token"]');
    expect(await secret.textContent()).toContain('missing');
    await secret.getByLabel('Value for shopify_admin_token').fill(SECRET);
    await secret.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => secret.textContent()).toContain('stored');
    expect(await secret.getByLabel('New value for shopify_admin_token').inputValue()).toBe('');
    await secret.getByLabel('New value for shopify_admin_token').fill(`${SECRET}_2`);
    await secret.getByRole('button', { name: 'Replace' }).click();
    await expect.poll(() => secret.getByLabel('New value for shopify_admin_token').inputValue()).toBe('');
    await expect.poll(() => connectorList(page).locator('li[data-connector="shop"]').textContent()).not.toContain('secrets missing');
    await settled(page);
    await app.screenshot('connectors-secrets');
    // Reload: the screen reads everything back from the engine.
    await page.reload();
    await connectorList(page).locator('li').first().waitFor();
    await openConnector(page, 'shop', 'Secrets');
    await expect.poll(() => page.locator('li[data-secret="shopify_admin_token"]').textContent()).toContain('stored');
    expect(received.length).toBeGreaterThan(5);
    expect(received.filter((body) => body.includes(SECRET))).toEqual([]);
    expect(await page.content()).not.toContain(SECRET);
  });

  it('creates a connector with a mock in the editor, and "Try action" shows the response and the fields kept', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'HTTP connector' }).click();
    const form = page.getByRole('form', { name: 'New HTTP connector' });
    await form.getByLabel('Name', { exact: true }).fill('crm');
    await form.getByLabel('Base URL', { exact: true }).fill('https://crm.example.com/api');
    const action = form.getByRole('group', { name: 'Action get_item' });
    await action.getByLabel('Description', { exact: true }).fill('Find a customer by id.');
    await action.getByLabel('Fields the model sees').fill('{"id": "id", "name": "name"}');
    await action.getByLabel('Static mock responses').fill(JSON.stringify([{ when: { id: '42' }, body: { id: 'c_42', name: 'Ada Lovelace', internal_note: 'VIP, do not mention' } }]));
    await form.getByRole('button', { name: 'Save connector' }).click();
    await page.getByRole('article', { name: 'Connector crm' }).waitFor();
    expect(((await engineCall('connectors.list')).find((connector) => connector.name === 'crm')!.definition as { baseUrl: string }).baseUrl).toBe('https://crm.example.com/api');

    await page.getByRole('tab', { name: 'Try action' }).click();
    // Mocked, over a world of the workspace's choosing.
    await page.getByRole('combobox', { name: 'Mock world' }).waitFor();
    await page.getByLabel('id', { exact: true }).fill('42');
    await page.getByRole('button', { name: 'Try it' }).click();
    const result = page.getByTestId('try-result');
    await result.waitFor();
    expect(await page.getByTestId('try-request').textContent()).toContain('GET https://crm.example.com/api/items/42');
    expect(await page.getByTestId('try-response').textContent()).toContain('VIP, do not mention');
    const shown = JSON.parse((await page.getByTestId('try-shown').textContent())!);
    expect(shown).toEqual({ id: 'c_42', name: 'Ada Lovelace' });
    expect(await page.getByTestId('try-time').textContent()).toMatch(/^\d+ ms/);
    await expect.poll(() => connectorList(page).locator('li[data-connector="crm"]').textContent()).toContain('last try OK');
    await settled(page);
    await app.screenshot('connectors-try');
  });

  it('imports the chosen operations of an OpenAPI document, after a preview', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Import OpenAPI' }).click();
    const panel = page.getByRole('region', { name: 'Import from OpenAPI' });
    await panel.getByLabel('OpenAPI file').setInputFiles(OPENAPI);
    const operations = panel.getByRole('list', { name: 'Operations' });
    await operations.locator('li').first().waitFor();
    await panel.getByLabel('Connector name').fill('github');
    await panel.getByLabel('Search operations').fill('issues/get');
    expect(await operations.locator('li').count()).toBeGreaterThan(0);
    await operations.locator('li[data-operation="issues/get"]').getByRole('checkbox').check();
    await panel.getByLabel('Search operations').fill('issues/create');
    expect(await operations.locator('li[data-operation="issues/get"]').count()).toBe(0); // the search hides what does not match
    await operations.locator('li[data-operation="issues/create"]').getByRole('checkbox').check();
    await panel.getByLabel('Search operations').fill('');
    await panel.getByRole('button', { name: 'Preview actions' }).click();
    const preview = panel.getByRole('region', { name: 'Actions to create' });
    await preview.waitFor();
    expect(await preview.locator('li').count()).toBe(2);
    const previewed = await preview.locator('li code:first-child').allTextContents();
    // The preview saved nothing.
    expect((await engineCall('connectors.list')).some((connector) => connector.name === 'github')).toBe(false);
    await settled(page);
    await app.screenshot('connectors-openapi');
    await panel.getByRole('button', { name: /^Import 2 operations/ }).click();
    await page.getByRole('article', { name: 'Connector github' }).waitFor();
    const github = (await engineCall('connectors.list')).find((connector) => connector.name === 'github') as { actions: { name: string }[] };
    expect(github.actions.map((entry) => `@github.${entry.name}`).sort()).toEqual([...previewed].sort());
  });

  it('adds an MCP server over stdio, lists its tools with their schemas, and allow-lists some', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'MCP server' }).click();
    const form = page.getByRole('form', { name: 'New MCP server' });
    await form.getByLabel('Name', { exact: true }).fill('everything');
    await form.getByLabel('Command').fill(process.execPath);
    await form.getByLabel('Arguments').fill(`${EVERYTHING}\nstdio`);
    await form.getByRole('button', { name: 'Save server' }).click();
    await page.getByRole('article', { name: 'Connector everything' }).waitFor();
    await page.getByRole('tab', { name: 'Tools' }).click();
    await page.getByRole('button', { name: 'Connect and list tools' }).click();
    await expect.poll(() => page.getByTestId('mcp-state').textContent(), { timeout: 20_000 }).toBe('connected');
    const tools = page.getByRole('list', { name: 'Server tools' });
    const names = await tools.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-tool')));
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    await tools.locator('li[data-tool="get-sum"] summary').click();
    expect(await tools.locator('li[data-tool="get-sum"] pre').textContent()).toContain('"required"');
    await tools.locator('li[data-tool="echo"]').getByRole('checkbox').check();
    // The list does not scroll inside itself: its first row is whole, not cut at the top.
    const clipped = await tools.evaluate((list) => ({ inner: list.scrollHeight > list.clientHeight + 1, top: list.firstElementChild!.getBoundingClientRect().top - list.getBoundingClientRect().top }));
    expect(clipped.inner).toBe(false);
    expect(clipped.top).toBeGreaterThanOrEqual(0);
    await settled(page);
    await app.screenshot('connectors-mcp');
    await page.getByRole('button', { name: /^Save allow-list/ }).click();
    await expect.poll(async () => ((await engineCall('connectors.list')).find((connector) => connector.name === 'everything') as { actions: { name: string }[] }).actions.map((entry) => entry.name)).toEqual(['echo']);
  }, 60_000);

  it('approves what a connector nobody approved asks for, after a confirmation', async () => {
    const { page } = app;
    // As a bundle brings it: stored, with no approval.
    app.mode.engine.workspace.connectors.save({ kind: 'http', name: 'onprem', baseUrl: 'http://10.0.0.5/api', auth: { type: 'none' }, allowInternalHosts: true, actions: [{ name: 'ping', description: 'Ping.', method: 'GET', path: '/ping', inputSchema: { type: 'object' } }] });
    await page.reload();
    await connectorList(page).locator('li[data-connector="onprem"]').waitFor();
    expect(await connectorList(page).locator('li[data-connector="onprem"]').textContent()).toContain('needs approval');
    await openConnector(page, 'onprem', 'Actions');
    const banner = page.getByRole('status').filter({ hasText: 'Not approved for live calls' });
    expect(await banner.textContent()).toContain('may reach internal addresses');
    await banner.getByRole('button', { name: 'Approve…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => banner.count()).toBe(0);
    expect(await connectorList(page).locator('li[data-connector="onprem"]').textContent()).not.toContain('needs approval');
  });

  it("edits a mock world with its schema checked, and shows a run's final world against its start", async () => {
    const { page } = app;
    // A mocked run that refunded an order (as the runtime keeps a conversation's world after each change).
    const workspace = app.mode.engine.workspace;
    const start = workspace.worlds.get('shop')!.world as { payments: { refunds?: unknown[] } & Record<string, unknown> };
    const run = workspace.conversations.create({ kind: 'preview' }).id;
    workspace.worlds.saveFinal(run, { ...start, payments: { ...start.payments, refunds: [...(start.payments.refunds ?? []), { id: 're_e2e', amount: 2400 }] } }, 'shop');
    // One that only read its world: it ends as it started.
    const untouched = workspace.conversations.create({ kind: 'preview' }).id;
    workspace.worlds.saveFinal(untouched, start, 'shop');

    await page.getByRole('button', { name: 'Mock worlds' }).click();
    const editor = page.getByLabel('World (JSON)');
    await expect.poll(() => editor.inputValue()).toContain('"payments"');
    const stored = await editor.inputValue();
    await editor.fill('[1, 2]');
    const errorId = (await editor.getAttribute('aria-describedby'))!.split(' ')[0]!;
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toContain('a world is a JSON object');
    expect(await page.getByRole('button', { name: 'Save world' }).isDisabled()).toBe(true);
    await editor.fill(stored);
    expect(await page.getByRole('button', { name: 'Save world' }).isDisabled()).toBe(false);

    await page.getByRole('combobox', { name: 'Run' }).click();
    await page.getByRole('option', { name: new RegExp(`^#${run} `) }).click();
    const changes = page.getByRole('table', { name: 'World changes' });
    await changes.waitFor();
    expect(await changes.locator('tbody tr').count()).toBe(1);
    expect(await changes.locator('tbody tr').first().textContent()).toContain('re_e2e');
    // The same words as a simulation run's final world.
    const runWorld = page.getByRole('region', { name: "A run's world" });
    expect(await runWorld.textContent()).toContain('Started from shop; 1 change.');
    await page.getByRole('combobox', { name: 'Run' }).click();
    await page.getByRole('option', { name: new RegExp(`^#${untouched} `) }).click();
    await expect.poll(() => runWorld.textContent()).toContain('Started from shop; the run left it as it found it.');
    expect(await runWorld.getByRole('table').count()).toBe(0);
    await page.getByRole('combobox', { name: 'Run' }).click();
    await page.getByRole('option', { name: new RegExp(`^#${run} `) }).click();
    await changes.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await settled(page);
    await app.screenshot('connectors-worlds');
  });

  it('is axe-clean in both themes', async () => {
    const { page } = app;
    await openConnector(page, 'shop', 'Settings');
    // The Python mock handlers are in Monaco (no sandbox in this session: the check says so).
    const handler = page.getByTestId('handler-editor').first();
    await expect.poll(() => handler.locator('.view-lines').textContent()).toContain('data[');
    expect(await page.locator('.connectors-handler').first().textContent()).toContain('Python is not checked');
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await page.getByTestId('theme-switch').click();
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      for (const tab of ['Actions', 'Settings', 'Secrets', 'Try action']) {
        await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
        // Checked once the theme's colour transitions have ended: axe reads the colours as drawn.
        await settled(page);
        expect(await axeViolations(page), `${tab} in ${theme}`).toEqual([]);
      }
      await page.getByRole('tab', { name: 'Settings' }).click();
      await handler.scrollIntoViewIfNeeded();
      await settled(page);
      await app.screenshot(`connectors-settings-${theme}`);
    }
    expect(app.problems).toEqual([]);
  });
});

describe('a Python mock handler with the sandbox running', () => {
  let sandboxed: RunningApp;
  beforeAll(async () => {
    sandboxed = await startApp(browser, { python: true });
  });
  afterAll(async () => {
    await sandboxed?.close();
  });

  it("marks the sandbox's findings (here a forbidden import) in the handler", async () => {
    const { page } = sandboxed;
    await page.goto(sandboxed.mode.server.url);
    await page.getByRole('button', { name: 'Connectors' }).click();
    await connectorList(page).locator('li').first().waitFor();
    await openConnector(page, 'shop', 'Settings');
    const handler = page.getByTestId('handler-editor').first();
    await expect.poll(() => handler.locator('.view-lines').textContent()).toContain('data[');
    await handler.locator('textarea').focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nimport os');
    await page.keyboard.press('Escape');
    await handler.locator('.squiggly-error').first().waitFor({ state: 'attached', timeout: 60_000 });
    // The problem itself, with its line, not only a count.
    await expect.poll(() => page.getByTestId('handler-issues').first().textContent()).toMatch(/Line \d+: .*os/);
    await handler.scrollIntoViewIfNeeded();
    await settled(page);
    await sandboxed.screenshot('connectors-handler-check');
    expect(sandboxed.problems).toEqual([]);
  }, 120_000);
});
