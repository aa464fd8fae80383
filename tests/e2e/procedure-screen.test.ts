// The Procedure screen in Chromium: create a Procedure, type a step and see its node, click a node
// and see the text selected, add a branch in the graph and see the text (and undo it), see an
// error's marker, publish, and compare versions in the diff editor.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foreignRequests, startApp, type RunningApp } from './support/app';
import { launchChromium } from '../../scripts/chromium';
import { answerDialog, editorSelection, editorText, fitGraph, graphNode, typeInEditor, viewportSettled, visibleLines } from './support/editor';

let browser: Browser;
let app: RunningApp;

beforeAll(async () => {
  browser = await launchChromium();
  // With Python: publishing checks a Procedure's Python in the sandbox, as validate does.
  app = await startApp(browser, { python: true });
  await app.page.goto(app.mode.server.url);
  await app.page.getByRole('navigation', { name: 'Procedures' }).locator('li').first().waitFor();
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

const open = async (name: string) => {
  await app.page.locator(`li[data-procedure="${name}"] a`).click();
  await app.page.locator('[data-testid="editor"] .view-lines').waitFor();
  await graphNode(app.page, 'trigger').waitFor();
  await fitGraph(app.page); // the graph opens on its start, readable: see all of it to click anywhere
};

describe('the Procedure screen', () => {
  it('creates a Procedure, and a typed step appears in the graph', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await answerDialog(page, 'Lost parcel', 'OK');
    await page.locator('[data-testid="editor"] .view-lines').waitFor();
    await graphNode(page, 'step:first-step').waitFor();
    expect(await editorText(page)).toContain('name: Lost parcel');
    expect(await page.locator('li[data-procedure="Lost parcel"] .badge.status-draft').textContent()).toBe('Draft');

    // Select a node and zoom in: typing must keep both.
    await graphNode(page, 'step:first-step').click();
    await page.locator('.react-flow__controls-zoomin').click();
    const scale = async () => /scale\(([\d.]+)\)/.exec(await viewportSettled(page))?.[1];
    const zoom = await scale();
    await page.locator('[data-testid="editor"] textarea').focus();
    await page.keyboard.press('Control+End');
    await typeInEditor(page, '\n## Check the tracking\nAsk for the tracking number.');
    await graphNode(page, 'step:check-the-tracking').waitFor();
    expect(await scale()).toBe(zoom);
    expect(await graphNode(page, 'step:first-step').locator('.graph-node.is-selected').count()).toBe(1);
    expect(await graphNode(page, 'step:check-the-tracking').textContent()).toContain('Check the tracking');
    expect(await page.getByTestId('save-state').textContent()).toContain('Unsaved changes');
    // Leaving with unsaved changes asks first; staying keeps the text.
    await page.locator('li[data-procedure="Refund request"] a').click();
    await answerDialog(page, null, 'Stay');
    expect(await editorText(page)).toContain('## Check the tracking');
    expect(page.url()).toContain('Lost%20parcel');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('Saved');
    await app.screenshot('procedure-screen-new');
  });

  it('selects a node\'s text in the editor when the node is clicked, and highlights the cursor\'s step', async () => {
    const { page } = app;
    await open('Damaged order claim');
    await graphNode(page, 'step:check-the-claim-window').click();
    await expect.poll(() => editorSelection(page)).toBe('Check the claim window');
    await expect.poll(() => graphNode(page, 'step:check-the-claim-window').locator('.graph-node.is-cursor').count()).toBe(1);
    await graphNode(page, 'step:find-the-order').click();
    await expect.poll(() => editorSelection(page)).toBe('Find the order');
    await expect.poll(() => graphNode(page, 'step:check-the-claim-window').locator('.graph-node.is-cursor').count()).toBe(0);
  });

  // Expanding a call and reordering by dragging: tests/e2e/graph.test.ts (the graph's own tests).

  it('adds a branch from the graph as a text edit that Ctrl+Z undoes', async () => {
    const { page } = app;
    const before = await editorText(page);
    await fitGraph(page);
    await graphNode(page, 'step:check-the-claim-window/cond1').click();
    await page.getByRole('toolbar', { name: 'Graph edits' }).getByRole('button', { name: 'Add branch' }).click();
    await answerDialog(page, 'the order was a gift', 'Add branch');
    await expect.poll(async () => (await visibleLines(page)).some((line) => line === 'Otherwise, if the order was a gift:')).toBe(true);
    const after = await editorText(page);
    expect(after).toContain('Otherwise, if the order was a gift:\n  - Say what the agent should do in this case.\nOtherwise:');
    await graphNode(page, 'step:check-the-claim-window/cond1/b2').waitFor();
    expect(await graphNode(page, 'step:check-the-claim-window/cond1/b2').textContent()).toContain('the order was a gift');
    await app.screenshot('procedure-screen-branch');

    await page.locator('[data-testid="editor"] textarea').focus();
    await page.keyboard.press('Control+z');
    await expect.poll(() => editorText(page)).toBe(before);
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('Saved');
  });

  it('marks an error where it is', async () => {
    const { page } = app;
    await fitGraph(page);
    await graphNode(page, 'step:find-the-order').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    await typeInEditor(page, 'Note {no_such_attribute}. ');
    await expect.poll(() => page.getByTestId('status-line').textContent(), { timeout: 5000 }).toMatch(/\b1 error\b(?!s)/);
    await page.locator('[data-testid="editor"] .squiggly-error').first().waitFor();
    await expect.poll(() => graphNode(page, 'step:find-the-order').locator('.graph-node.has-error').count()).toBe(1);
    await app.screenshot('procedure-screen-error');
    // The quick fix declares it.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+.');
    await page.getByText('Declare the attribute "no_such_attribute" in the front matter').click();
    await expect.poll(() => page.getByTestId('status-line').textContent(), { timeout: 5000 }).toContain('0 errors');
    expect(await editorText(page)).toContain('  no_such_attribute: string\n---');
  });

  it('publishes with a note, and shows the history and the diff', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Publish…' }).click();
    // The publish gate asks first: the example's simulations have not run on this text.
    await answerDialog(page, null, 'Publish anyway');
    await answerDialog(page, 'Note the attribute', 'Publish');
    // Published is a confirmation: a toast, with no dialog to dismiss.
    await expect.poll(() => page.getByTestId('toast').textContent()).toContain('Version 2 of "Damaged order claim" is live.');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => page.locator('li[data-procedure="Damaged order claim"] .badge.status-live').textContent()).toBe('Live v2');
    await page.getByRole('button', { name: 'History' }).click();
    const history = page.getByRole('complementary', { name: 'History' });
    await history.locator('li[data-version="2"]').waitFor();
    expect(await history.locator('li[data-version="2"] .note').textContent()).toBe('Note the attribute');
    expect(await history.locator('li[data-version]').count()).toBe(2);
    await history.getByRole('button', { name: 'Compare' }).click();
    await history.locator('[data-testid="diff"] .monaco-diff-editor').waitFor();
    await expect.poll(() => history.locator('.diff-summary').textContent()).toContain('2 lines added, 1 removed');
    await history.locator('[data-testid="diff"] .line-insert').first().waitFor();
    await app.screenshot('procedure-screen-diff');
    // A version compared with itself: "no differences", not an empty two-pane diff marked +0 −0.
    await history.getByRole('combobox', { name: 'From version' }).click();
    await page.getByRole('option', { name: 'v2', exact: true }).click();
    await history.getByRole('combobox', { name: 'To version' }).click();
    await page.getByRole('option', { name: 'v2', exact: true }).click();
    await history.getByRole('button', { name: 'Compare' }).click();
    await expect.poll(() => history.locator('.diff-summary').textContent()).toContain('no differences, the two texts are the same');
    expect(await history.locator('[data-testid="diff"]').count()).toBe(0);
  });

  it('completes connector actions after @ and explains a reference on hover', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Close' }).click();
    await fitGraph(page);
    await graphNode(page, 'step:wrap-up').click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    await page.keyboard.type('Check @shop.get');
    const suggestions = page.locator('.suggest-widget');
    // On a busy machine the widget can open before the editor's context (connectors) has loaded, with
    // nothing to offer: ask again, as a user would with Ctrl+Space, until the action is offered.
    await expect
      .poll(async () => {
        const offered = (await suggestions.textContent().catch(() => '')) ?? '';
        if (!offered.includes('shop.get_order')) await page.keyboard.press('Control+Space');
        return offered;
      })
      .toContain('shop.get_order');
    await page.keyboard.press('Enter');
    await page.keyboard.type(' first. ');
    await expect.poll(() => editorText(page)).toContain('Check @shop.get_order first. Tell the customer');
    const reference = page.locator('[data-testid="editor"] .view-line span', { hasText: /^@shop\.get_order$/ }).first();
    await reference.hover();
    await expect.poll(() => page.locator('.monaco-hover').first().textContent()).toContain('Look up an order by its number');
    await app.screenshot('procedure-screen-hover');
  });

  it('asked nothing of any other host', () => {
    expect(foreignRequests(app)).toEqual([]);
    expect(app.problems).toEqual([]);
  });
});
