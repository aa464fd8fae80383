// The bundles screen in Chromium, against browser mode: an export of the chosen Procedures shows
// its closure, secret names and simulation warnings, and the saved file passes `stepwise verify`;
// importing it into a second workspace shows the signer and the change list (with a diff; a team's
// definition is an item like a Procedure), writes nothing before Import, then applies the choices; the keys tab; axe-clean in both themes.
// Screenshots go to tests/artifacts/bundles-*.png.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { launchChromium } from '../../scripts/chromium';
import { captureIo } from '../support/capture-io';
import { startApp, type RunningApp } from './support/app';
import { axeViolations, settled } from './support/a11y';

let browser: Browser;
let source: RunningApp;
let target: RunningApp;
let bundlePath = '';

beforeAll(async () => {
  browser = await launchChromium();
  source = await startApp(browser);
  target = await startApp(browser);
  for (const app of [source, target]) {
    await app.page.goto(app.mode.server.url);
    await app.page.getByRole('button', { name: 'Bundles' }).click();
    await app.page.getByRole('tab', { name: 'Export' }).waitFor();
  }
});

afterAll(async () => {
  await source?.close();
  await target?.close();
  await browser?.close();
});

const call = async (app: RunningApp, method: string, input: unknown = {}) => (await app.call(method, input)) as Record<string, unknown>;

describe('the bundles screen', () => {
  it('exports the chosen drafts with their closure, and the saved file passes stepwise verify', async () => {
    const { page } = source;
    const detail = await call(source, 'procedures.get', { name: 'Refund request' });
    await call(source, 'procedures.saveDraft', { name: 'Refund request', text: String(detail.draftText).replace('## ', '## Greet the customer\nSay hello first.\n\n## '), expectedHash: detail.draftHash });
    await call(source, 'teams.update', { name: 'Billing team', description: 'Charges, invoices and refunds over the limit.', noteTemplate: 'Order number and the amount.' });
    await page.getByRole('combobox', { name: 'Export what' }).click();
    await page.getByRole('option', { name: 'Drafts' }).click();
    await page.getByRole('list', { name: 'Procedures to export' }).getByLabel('Refund request').check();
    const holds = page.getByRole('region', { name: 'What the bundle holds' });
    await expect.poll(() => holds.textContent()).toContain('Orders team');
    expect(await holds.textContent()).toContain('Billing team');
    expect(await holds.getByRole('list', { name: 'Secrets production must provide' }).locator('li').count()).toBeGreaterThan(0);
    expect(await holds.textContent()).toMatch(/(has|have) not run on this text/);
    await settled(page);
    await source.screenshot('bundles-export');
    const [download] = await Promise.all([page.waitForEvent('download'), holds.getByRole('button', { name: 'Save bundle' }).click()]);
    expect(download.suggestedFilename()).toBe('refund-request-draft.stepwise-bundle.json');
    bundlePath = join(source.home, download.suggestedFilename());
    await download.saveAs(bundlePath);
    const io = captureIo(source.home);
    expect(await runCli(['verify', bundlePath], io)).toBe(0);
    expect(io.stdout()).toContain('valid.');
  });

  it('shows what an import would change, writes nothing until Import, then applies the choices', async () => {
    const { page } = target;
    const before = await call(target, 'procedures.get', { name: 'Refund request' });
    await page.getByRole('tab', { name: 'Import' }).click();
    await page.getByLabel('Bundle file').setInputFiles(bundlePath);
    const changes = page.getByRole('region', { name: 'What will change' });
    await changes.waitFor();
    const sourceKey = (await call(source, 'bundles.keys')) as { fingerprint: string };
    expect(await changes.textContent()).toContain(sourceKey.fingerprint);
    expect(await changes.textContent()).toContain('Unknown signer');
    const row = changes.locator('tr[data-change="procedure:Refund request"]');
    expect(await row.textContent()).toContain('Changed');
    const importButton = changes.getByRole('button', { name: 'Import', exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    await row.getByRole('button', { name: 'Show diff' }).click();
    await page.getByRole('region', { name: /^Diff of Refund request/ }).locator('.monaco-diff-editor').waitFor();
    await row.getByLabel('Take theirs').check();
    expect(await importButton.isDisabled()).toBe(true);
    await changes.getByLabel(/trust ed25519:/).check();
    // The team's definition travelled: changed, with a diff, and the same three choices.
    const team = changes.locator('tr[data-change="team:Billing team"]');
    expect(await team.textContent()).toContain('Changed');
    expect(await changes.locator('tr[data-change="team:Orders team"]').textContent()).toContain('Same');
    expect(await importButton.isDisabled()).toBe(true);
    await team.getByRole('button', { name: 'Show diff' }).click();
    await page.getByRole('region', { name: /^Diff of Billing team/ }).locator('.monaco-diff-editor').waitFor();
    await team.getByRole('radio', { name: /Keep both/ }).check();
    await expect.poll(() => importButton.isDisabled()).toBe(false);
    await settled(page);
    await target.screenshot('bundles-import');
    // Nothing was written while choosing.
    expect((await call(target, 'procedures.get', { name: 'Refund request' })).draftHash).toBe(before.draftHash);
    expect(JSON.stringify(await call(target, 'teams.list'))).not.toContain('Billing team (imported)');
    await importButton.click();
    const report = page.getByRole('region', { name: 'Import report' });
    await report.waitFor();
    expect(await report.textContent()).toContain('Refund request: replaced');
    expect(await report.textContent()).toContain('Billing team: renamed as “Billing team (imported)”');
    const imported = String((await call(target, 'procedures.get', { name: 'Refund request' })).draftText);
    expect(imported).toContain('## Greet the customer');
    expect(imported).toContain('@handoff Billing team (imported): refund over the automatic limit');
    const teams = (await call(target, 'teams.list')) as unknown as { name: string; description: string; noteTemplate: string }[];
    expect(teams.find((candidate) => candidate.name === 'Billing team')?.description).toBe('Subscriptions, charges and invoices.');
    expect(teams.find((candidate) => candidate.name === 'Billing team (imported)')).toMatchObject({ description: 'Charges, invoices and refunds over the limit.', noteTemplate: 'Order number and the amount.' });
    const keys = (await call(target, 'bundles.keys')) as { trusted: { fingerprint: string }[] };
    expect(keys.trusted.map((key) => key.fingerprint)).toContain(sourceKey.fingerprint);
    await settled(page);
    await target.screenshot('bundles-import-done');
  });

  it('shows this workspace\'s key and the trusted ones', async () => {
    const { page } = target;
    await page.getByRole('tab', { name: 'Keys' }).click();
    const own = (await call(target, 'bundles.keys')) as { publicKey: string; fingerprint: string };
    expect(await page.getByLabel('Public key', { exact: true }).textContent()).toBe(own.publicKey);
    const trusted = page.getByRole('region', { name: 'Trusted keys' });
    await expect.poll(() => trusted.locator('li').count()).toBe(2);
    // The key trusted on import has no name in the bundle: said to be unnamed, with its fingerprint.
    const names = await trusted.locator('.bundles-key-name').allTextContents();
    expect(names.sort()).toEqual(['This workspace', 'Unnamed key']);
    expect(await trusted.locator('li', { hasText: 'Unnamed key' }).textContent()).toMatch(/Unnamed key .+ · trusted on import, \d{4}-\d\d-\d\d/);
    await settled(page);
    await target.screenshot('bundles-keys');
  });

  it('is axe-clean in both themes, on every tab', async () => {
    const { page } = source;
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await page.getByTestId('theme-switch').click();
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      for (const tab of ['Export', 'Import', 'Keys']) {
        await page.getByRole('tab', { name: tab }).click();
        await settled(page);
        expect(await axeViolations(page), `${tab} in ${theme}`).toEqual([]);
      }
      await page.getByRole('tab', { name: 'Export' }).click();
      await settled(page);
      await source.screenshot(`bundles-export-${theme}`);
    }
    expect(source.problems).toEqual([]);
    expect(target.problems).toEqual([]);
  });
});
