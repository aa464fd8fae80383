// The app in Debian's Chromium, against browser mode: the example workspace, and nothing requested
// from any other host.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reply, startFakeAnthropic } from '../support/fake-anthropic';
import { foreignRequests, startApp, type RunningApp } from './support/app';
import { answerDialog } from './support/editor';
import { launchChromium } from '../../scripts/chromium';

let browser: Browser;
let app: RunningApp;

beforeAll(async () => {
  browser = await launchChromium();
  app = await startApp(browser);
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

describe('browser mode', () => {
  it('opens the example workspace with its Procedures and their status', async () => {
    const { page, mode } = app;
    expect(mode.createdWorkspace).toBe(true);
    await page.goto(mode.server.url);
    const list = page.getByRole('navigation', { name: 'Procedures' });
    await expect.poll(() => list.locator('li').count()).toBe(5);
    const verify = list.locator('li[data-procedure="Verify identity"]');
    expect(await verify.locator('.badge.sub').textContent()).toBe('Sub-procedure');
    expect(await verify.locator('.badge.status-live').textContent()).toBe('Live v1');
    // The token left the address bar once it was read.
    expect(page.url()).not.toContain('token=');
    await app.screenshot('procedure-list');
  });

  it('renames, duplicates and deletes Procedures from the list', async () => {
    const { page } = app;
    const list = page.getByRole('navigation', { name: 'Procedures' });
    // Each row's actions are in its menu, opened from the row's "…" button, as for a person with a mouse.
    const row = (name: string) => list.locator(`li[data-procedure="${name}"]`);
    const choose = async (name: string, action: string) => {
      await row(name).hover();
      await list.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
      await page.getByRole('menu', { name: `Actions for ${name}` }).getByRole('menuitem', { name: action }).click();
    };
    await choose('Refund request', 'Rename');
    await answerDialog(page, 'Refund claim', 'Rename');
    await list.locator('li[data-procedure="Refund claim"]').waitFor();
    await choose('Refund claim', 'Duplicate');
    await list.locator('li[data-procedure="Refund claim (copy)"]').waitFor();
    expect(await list.locator('li[data-procedure="Refund claim (copy)"] .badge.status-draft').textContent()).toBe('Draft');
    await choose('Refund claim (copy)', 'Delete');
    await answerDialog(page, null, 'Delete');
    await expect.poll(() => list.locator('li[data-procedure="Refund claim (copy)"]').count()).toBe(0);
    // A Procedure others call is not deleted, and the app says why.
    await choose('Verify identity', 'Delete');
    await answerDialog(page, null, 'Delete');
    await expect.poll(() => page.getByRole('dialog').textContent()).toMatch(/call it with \[\[Verify identity\]\]\. Remove those calls first\./);
    await answerDialog(page, null, 'OK');
    expect(await list.locator('li').count()).toBe(5);
  });

  it('refuses API calls without the launch token', async () => {
    const response = await fetch(`${app.mode.server.origin}/api/call/procedures.list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('saves model settings with the key in the secret store, and tests the connection', async () => {
    const fake = await startFakeAnthropic([reply('Hi')]);
    try {
      const { page } = app;
      await page.getByRole('button', { name: 'Settings' }).click();
      const form = page.getByRole('region', { name: 'Settings' });
      await form.getByLabel('API key').fill('sk-e2e-secret');
      await form.getByLabel('Base URL').fill(fake.url);
      await form.getByLabel('Model for the agent').fill('claude-e2e-agent');
      await form.getByRole('button', { name: 'Test connection' }).click();
      await expect.poll(() => page.getByTestId('connection-test').textContent(), { timeout: 15_000 }).toContain('Connected: claude-e2e-agent');
      expect(fake.requests[0]?.body.model).toBe('claude-e2e-agent');
      expect(await form.getByLabel('API key').inputValue()).toBe('');
      expect(await form.getByLabel('API key').getAttribute('placeholder')).toContain('A key is saved');
      await app.screenshot('settings');
    } finally {
      await fake.close();
    }
  });

  it('requests nothing from any host but its own, and breaks no CSP rule', async () => {
    expect(app.requests.length).toBeGreaterThan(2);
    expect(foreignRequests(app)).toEqual([]);
    expect(app.problems).toEqual([]);
  });
});
