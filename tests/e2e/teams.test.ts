// The teams screen in Chromium, against browser mode: a new team with a description and a note
// template; a team rename updates the drafts that hand off to it; deleting a team in use is refused
// with its users; axe-clean in both themes. Screenshots go to tests/artifacts/teams-*.png.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/chromium';
import { startApp, type RunningApp } from './support/app';
import { answerDialog, editorText } from './support/editor';
import { axeViolations, settled } from './support/a11y';

let browser: Browser;
let app: RunningApp;

beforeAll(async () => {
  browser = await launchChromium();
  app = await startApp(browser);
  await app.page.goto(app.mode.server.url);
  await app.page.getByRole('button', { name: 'Teams' }).click();
  await teamList(app.page).locator('li').first().waitFor();
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

const teamList = (page: Page) => page.getByRole('navigation', { name: 'Team list' });
const draftOf = async (name: string) => ((await app.call('procedures.get', { name })) as { draftText: string }).draftText;

describe('the teams screen', () => {
  it('lists the teams with the Procedures that hand off to them', async () => {
    const { page } = app;
    const names = await teamList(page).locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-team')));
    expect(names).toEqual(expect.arrayContaining(['Claims team', 'Orders team', 'Billing team']));
    await teamList(page).locator('li[data-team="Orders team"] button').click();
    const users = page.getByRole('region', { name: 'Used by' });
    await expect.poll(() => users.locator('li').allTextContents()).toEqual(['Damaged order claim', 'Refund request']);
    await settled(page);
    await app.screenshot('teams-list');
  });

  it('creates a team with a note template; an empty name is shown next to the field and nothing is saved', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'New team' }).click();
    const form = page.getByRole('form', { name: 'New team' });
    await form.getByRole('button', { name: 'Create team' }).click();
    expect(await form.locator('.sw-field-error').textContent()).toBe('give the team a name');
    expect(await teamList(page).locator('li').count()).toBe(6);
    await form.getByLabel('Name').fill('Returns desk');
    await form.getByLabel('Description').fill('Parcels coming back to the warehouse.');
    await form.getByLabel('Handoff note template').fill('Order {order_number}: what arrived, what the customer wants.');
    await form.getByRole('button', { name: 'Create team' }).click();
    await teamList(page).locator('li[data-team="Returns desk"]').waitFor();
    const listed = await app.mode.engine.dispatch('teams.list', {});
    expect(listed.ok && (listed.value as { name: string; noteTemplate: string }[]).find((team) => team.name === 'Returns desk')?.noteTemplate).toBe('Order {order_number}: what arrived, what the customer wants.');
    await expect.poll(() => page.getByRole('form', { name: 'Edit Returns desk' }).getByLabel('Handoff note template').inputValue()).toBe('Order {order_number}: what arrived, what the customer wants.');
    await settled(page);
    await app.screenshot('teams-edit');
  });

  it('renames a team, and the drafts that hand off to it follow', async () => {
    const { page } = app;
    const before = await draftOf('Refund request');
    expect(before).toContain('@handoff Orders team: the customer wants to cancel');
    await teamList(page).locator('li[data-team="Orders team"] button').click();
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await answerDialog(page, 'Order desk', 'Rename');
    await teamList(page).locator('li[data-team="Order desk"]').waitFor();
    expect(await teamList(page).locator('li[data-team="Orders team"]').count()).toBe(0);
    expect(await draftOf('Refund request')).toBe(before.replaceAll('@handoff Orders team', '@handoff Order desk'));
    expect(await draftOf('Damaged order claim')).toContain('@handoff Order desk');
    expect(await draftOf('Damaged order claim')).not.toContain('@handoff Orders team');
    // The toast says which drafts followed, and which live versions still name the old team.
    await expect.poll(() => page.locator('.sw-toast').last().textContent()).toMatch(/Updated the drafts of .*Refund request/);
    // The draft in the Procedure screen shows the new name.
    await page.getByRole('navigation', { name: 'Procedures' }).locator('li[data-procedure="Refund request"] a').click();
    await expect.poll(() => editorText(page), { timeout: 15_000 }).toContain('@handoff Order desk');
    await page.getByRole('button', { name: 'Teams' }).click();
    await teamList(page).locator('li').first().waitFor();
  });

  it('refuses to delete a team in use, naming the Procedures', async () => {
    const { page } = app;
    await teamList(page).locator('li[data-team="Claims team"] button').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await answerDialog(page, null, 'Delete');
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('Team "Claims team" is used by "Damaged order claim"');
    await settled(page);
    await app.screenshot('teams-delete-refused');
    await answerDialog(page, null, 'OK');
    expect(await teamList(page).locator('li[data-team="Claims team"]').count()).toBe(1);
    // An unused team goes.
    await teamList(page).locator('li[data-team="Returns desk"] button').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await answerDialog(page, null, 'Delete');
    await expect.poll(() => teamList(page).locator('li[data-team="Returns desk"]').count()).toBe(0);
  });

  it('is axe-clean in both themes', async () => {
    const { page } = app;
    await teamList(page).locator('li[data-team="Billing team"] button').click();
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await page.getByTestId('theme-switch').click();
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await settled(page);
      expect(await axeViolations(page), theme).toEqual([]);
      await app.screenshot(`teams-${theme}`);
    }
    expect(app.problems).toEqual([]);
  });
});
