// Python errors in a Procedure are marked where they are, from the real sandbox's check.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/chromium';
import { startApp, type RunningApp } from './support/app';
import { editorDiagnostics, editorText, fitGraph, graphNode, typeInEditor } from './support/editor';

let browser: Browser;
let app: RunningApp;

beforeAll(async () => {
  browser = await launchChromium();
  app = await startApp(browser, { python: true });
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

describe('Python diagnostics', () => {
  it('marks a Python syntax error inside a code block, once the sandbox has checked it', async () => {
    const { page } = app;
    await page.goto(app.mode.server.url.replace('#token=', '#/procedures/Damaged%20order%20claim?token='));
    await graphNode(page, 'trigger').waitFor();
    await fitGraph(page);
    await graphNode(page, 'step:check-the-claim-window').click();
    // The line after the title opens the ```python block; the next is its first line of code.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await typeInEditor(page, ' +');
    await expect.poll(() => page.getByTestId('status-line').textContent(), { timeout: 30_000 }).toMatch(/\b1 error\b(?!s)/);
    await page.locator('[data-testid="editor"] .squiggly-error').first().waitFor({ state: 'attached' });
    const [error] = (await editorDiagnostics(page)).filter((diagnostic) => diagnostic.severity === 'error');
    expect(error).toMatchObject({ code: 'python' });
    const line = (await editorText(page)).split('\n').findIndex((text) => text.endsWith(' +')) + 1;
    expect(error!.line).toBe(line);
    await app.screenshot('procedure-screen-python-error');
    expect(app.problems).toEqual([]);
  }, 60_000);
});
