// The studio's design system in Chromium, against browser mode: axe-core on every screen in both
// themes, the theme switch (data-theme, the tokens, Monaco's theme, kept across a reload), keyboard
// navigation from the list to a dialog and back, a publish confirmed by a toast, and a toolbar that
// fits at 1280 px. Screenshots of every screen in both themes go to tests/artifacts/.
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchChromium } from '../../scripts/chromium';
import { foreignRequests, startApp, type RunningApp } from './support/app';
import { answerDialog, editorSelection, fitGraph, graphNode, typeInEditor } from './support/editor';

let browser: Browser;
let app: RunningApp;

type Theme = 'light' | 'dark';
const THEMES: Theme[] = ['light', 'dark'];

beforeAll(async () => {
  browser = await launchChromium();
  app = await startApp(browser);
  await app.page.goto(app.mode.server.url);
  await list(app.page).locator('li').first().waitFor();
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

const list = (page: Page) => page.getByRole('navigation', { name: 'Procedures' });
const dataTheme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme);

/** Switches with the top bar's button, as a person would. */
async function useTheme(page: Page, theme: Theme) {
  if ((await dataTheme(page)) !== theme) await page.getByTestId('theme-switch').click();
  await expect.poll(() => dataTheme(page)).toBe(theme);
  await page.mouse.move(0, 0); // no tooltip left open in a screenshot
}

async function openProcedure(page: Page, name: string) {
  await list(page).locator(`li[data-procedure="${name}"] a`).click();
  await page.locator('[data-testid="editor"] .view-lines').waitFor();
  await graphNode(page, 'trigger').waitFor();
  await fitGraph(page);
}

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<Violation[]> {
  // Through the debugging protocol, not a <script> tag, which the app's CSP rightly refuses.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({ id: violation.id, impact: violation.impact ?? '', help: violation.help, nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`) }));
  });
}

/** Once every finite animation (a dialog's fade, a drawer's slide) has ended: what a person sees. */
async function shoot(name: string, theme: Theme) {
  await app.page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity));
  await app.screenshot(`screen-${name}-${theme}`);
}

describe('the design system', () => {
  it('starts in the system\'s theme and switches theme, tokens and Monaco together, kept across a reload', async () => {
    const { page } = app;
    // No choice stored yet: the system's preference (Chromium's default is light).
    expect(await page.evaluate(() => localStorage.getItem('stepwise.theme'))).toBeNull();
    expect(await dataTheme(page)).toBe('light');
    await openProcedure(page, 'Damaged order claim');
    const looks = () =>
      page.evaluate(() => ({
        surface: getComputedStyle(document.documentElement).getPropertyValue('--sw-surface').trim(),
        kindStep: getComputedStyle(document.documentElement).getPropertyValue('--kind-step').trim(),
        body: getComputedStyle(document.body).backgroundColor,
        pane: getComputedStyle(document.querySelector('.editor-pane')!).backgroundColor,
        monacoDark: document.querySelector('[data-testid="editor"] .monaco-editor')!.classList.contains('vs-dark'),
        monacoBackground: getComputedStyle(document.querySelector('[data-testid="editor"] .monaco-editor-background')!).backgroundColor,
      }));
    const light = await looks();
    expect(light).toMatchObject({ body: 'rgb(245, 246, 248)', pane: 'rgb(255, 255, 255)', monacoDark: false, monacoBackground: 'rgb(255, 255, 255)' });

    await page.getByTestId('theme-switch').click();
    await expect.poll(() => dataTheme(page)).toBe('dark');
    await expect.poll(looks).toMatchObject({ body: 'rgb(15, 17, 21)', pane: 'rgb(22, 24, 29)', monacoDark: true, monacoBackground: 'rgb(22, 24, 29)' });
    // The tokens themselves changed, the node kinds' colours too.
    expect((await looks()).surface).not.toBe(light.surface);
    expect((await looks()).kindStep).not.toBe(light.kindStep);
    expect(await page.evaluate(() => localStorage.getItem('stepwise.theme'))).toBe('dark');

    // Kept across a reload, before the editor is even drawn.
    await page.reload();
    await expect.poll(() => dataTheme(page)).toBe('dark');
    await page.locator('[data-testid="editor"] .view-lines').waitFor();
    await expect.poll(async () => (await looks()).monacoDark).toBe(true);

    // And back: Settings has the same choice.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Appearance' }).click();
    await page.getByRole('combobox', { name: 'Theme' }).click();
    await page.getByRole('option', { name: 'Light' }).click();
    await expect.poll(() => dataTheme(page)).toBe('light');
    expect(await page.evaluate(() => localStorage.getItem('stepwise.theme'))).toBe('light');
  });

  it('follows a dark system when nothing is chosen, and ignores a stored value that is not a theme', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      // The theme is on <html> before <body> is even parsed: the first frame is already dark.
      await page.addInitScript(
        "new MutationObserver((_, observer) => { if (document.body) { window.__themeAtBody = document.documentElement.dataset.theme ?? 'unset'; observer.disconnect(); } }).observe(document, { childList: true, subtree: true });",
      );
      await page.goto(app.mode.server.url);
      await expect.poll(() => dataTheme(page)).toBe('dark');
      expect(await page.evaluate(() => (window as unknown as { __themeAtBody?: string }).__themeAtBody)).toBe('dark');
      await page.evaluate(() => localStorage.setItem('stepwise.theme', 'purple'));
      await page.reload();
      await expect.poll(() => dataTheme(page)).toBe('dark');
      expect(await page.evaluate(() => (window as unknown as { __themeAtBody?: string }).__themeAtBody)).toBe('dark');
      await page.evaluate(() => localStorage.setItem('stepwise.theme', 'light'));
      await page.reload();
      await expect.poll(() => dataTheme(page)).toBe('light');
      expect(await page.evaluate(() => (window as unknown as { __themeAtBody?: string }).__themeAtBody)).toBe('light');
    } finally {
      await context.close();
    }
  });

  it('moves through the list, opens a Procedure, reaches the toolbar and a dialog, and comes back, by keyboard alone', async () => {
    const { page } = app;
    await page.goto(app.mode.server.url.replace('#token=', '#/?token='));
    await list(page).locator('li').first().waitFor();
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        return {
          row: element?.closest('li')?.dataset.procedure ?? null,
          text: element?.textContent?.trim() ?? '',
          toolbar: element?.closest('[role="toolbar"]')?.getAttribute('aria-label') ?? null,
          dialog: element?.closest('[role="dialog"]')?.getAttribute('aria-label') ?? null,
          outline: element ? getComputedStyle(element).outlineStyle : 'none',
        };
      });
    // Tab from the top of the page to the list: one tab stop for the whole list, on the row last used.
    for (let i = 0; i < 10 && (await focused()).row === null; i++) await page.keyboard.press('Tab');
    const names = await list(page).locator('li').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.procedure!));
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(names).toContain((await focused()).row);
    await page.keyboard.press('Home');
    expect((await focused()).row).toBe(names[0]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect((await focused()).row).toBe(names[2]);
    expect((await focused()).outline).not.toBe('none'); // the focus is visible
    await page.keyboard.press('End');
    expect((await focused()).row).toBe(names[names.length - 1]);
    await page.keyboard.press('ArrowDown'); // stays on the last
    expect((await focused()).row).toBe(names[names.length - 1]);
    await page.keyboard.press('ArrowUp');
    expect((await focused()).row).toBe(names[names.length - 2]);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    const chosen = names[1]!;
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe(`#/procedures/${chosen}`);
    await page.locator('[data-testid="editor"] .view-lines').waitFor();
    expect(await list(page).locator(`li[data-procedure="${chosen}"] a`).getAttribute('aria-current')).toBe('page');

    // On to the Procedure's toolbar: one tab stop, arrows inside it.
    for (let i = 0; i < 10 && (await focused()).toolbar !== 'Procedure actions'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ toolbar: 'Procedure actions', text: 'History' });
    // The toolbar's last action. Its buttons may still be joined by the simulations badge, which
    // loads after the screen: End is pressed again until the toolbar has settled.
    await expect
      .poll(async () => {
        await page.keyboard.press('End');
        return (await focused()).text;
      })
      .toBe('Publish…');
    await page.keyboard.press('Enter');
    // The publish gate asks first (the example's simulations have not run on this text).
    const title = `Publish "${chosen}" anyway?`;
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    await expect.poll(async () => (await focused()).dialog).toBe(title);
    // Focus stays in the dialog however far one tabs, forwards or back.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect((await focused()).dialog).toBe(title);
    }
    await page.keyboard.press('Shift+Tab');
    expect((await focused()).dialog).toBe(title);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus is back where it was.
    await expect.poll(focused).toMatchObject({ toolbar: 'Procedure actions', text: 'Publish…' });
    expect(await page.locator('li[data-procedure] .badge').first().count()).toBe(1);
  });

  it('renames from a row by keyboard, with F2 or through its menu, and focus comes back to the row', async () => {
    const { page } = app;
    const active = () => page.evaluate(() => ({ row: document.activeElement?.closest('li')?.dataset.procedure ?? null, label: document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? '', dialog: document.activeElement?.closest('[role="dialog"]')?.getAttribute('aria-label') ?? null }));
    await list(page).locator('li[data-procedure="Refund request"] a').focus();
    await page.keyboard.press('F2');
    await expect.poll(async () => (await active()).dialog).toBe('Rename "Refund request"');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('Refund request');
    await page.keyboard.press('Escape');
    await expect.poll(active).toMatchObject({ row: 'Refund request', dialog: null });

    // Tab from the row to its "…" button, open the menu, choose Rename with the arrows.
    await page.keyboard.press('Tab');
    expect(await active()).toMatchObject({ row: 'Refund request', label: 'Actions for Refund request' });
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Actions for Refund request' });
    await menu.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
    await page.keyboard.press('Enter'); // the first item: Rename
    await expect.poll(async () => (await active()).dialog).toBe('Rename "Refund request"');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(async () => (await active()).row).toBe('Refund request');
    expect(await list(page).locator('li[data-procedure="Refund request"]').count()).toBe(1); // nothing renamed
  });

  it('confirms a publish with a toast, not a dialog to dismiss', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await answerDialog(page, 'Toast check', 'OK');
    await page.locator('[data-testid="editor"] .view-lines').waitFor();
    await page.getByRole('button', { name: 'Publish…' }).click();
    // The publish gate asks first: no simulations, and the starter's placeholders.
    await answerDialog(page, null, 'Publish anyway');
    await answerDialog(page, 'First version', 'Publish');
    const toast = page.getByTestId('toast');
    await expect.poll(() => toast.textContent()).toContain('Version 1 of "Toast check" is live.');
    // Held while the test looks at it (a success goes after 3 s).
    await toast.hover();
    expect(await toast.textContent()).toContain('Published');
    // It covers no control: not the graph's zoom controls or minimap, not a toolbar.
    const box = (await toast.boundingBox())!;
    const covered = await page.evaluate(({ x, y, width, height }) => {
      const controls = Array.from(document.querySelectorAll('.react-flow__controls, .react-flow__minimap, [role="toolbar"], button')).filter((el) => !el.closest('[data-testid="toast"]'));
      return controls
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width > 0 && r.left < x + width && r.right > x && r.top < y + height && r.bottom > y)
        .map(({ el }) => el.getAttribute('aria-label') ?? el.textContent ?? el.className);
    }, box);
    expect(covered).toEqual([]);
    // Nothing blocks the page: no dialog, and the editor is usable at once.
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => list(page).locator('li[data-procedure="Toast check"] .badge.status-live').textContent()).toBe('Live v1');
    await page.locator('[data-testid="editor"] textarea').focus();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await shoot('toast', (await dataTheme(page)) as Theme);
    expect(await axeViolations(page)).toEqual([]);
    // Announced politely to screen readers, and dismissible.
    expect(await page.locator('[role="region"][aria-label^="Notifications"]').count()).toBe(1);
    await toast.getByRole('button', { name: 'Dismiss notification' }).click();
    await expect.poll(() => toast.count()).toBe(0);
  });

  it('lists the problems from the status line in a popover, and choosing one selects its text', async () => {
    const { page } = app;
    // Saved at the end, pass or fail, so the next tests leave this Procedure without a question.
    onTestFinished(async () => {
      if ((await page.getByTestId('save-state').textContent()) !== 'Saved') await page.getByRole('button', { name: 'Save draft' }).click();
      await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('Saved');
    });
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await answerDialog(page, 'Problems check', 'OK');
    await page.locator('[data-testid="editor"] .view-lines').waitFor();
    const trigger = page.getByRole('button', { name: /^Problems: / });
    await expect.poll(() => trigger.getAttribute('aria-label')).toBe('Problems: 0 errors, 0 warnings');
    await trigger.click();
    await expect.poll(() => page.getByTestId('problems').textContent()).toContain('No problems');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('problems').count()).toBe(0);

    await page.locator('[data-testid="editor"] textarea').focus();
    await page.keyboard.press('Control+End');
    await typeInEditor(page, '\nNote {no_such_attribute} here.');
    await expect.poll(() => trigger.getAttribute('aria-label'), { timeout: 5000 }).toMatch(/^Problems: [1-9]\d* errors?,/);
    await page.keyboard.press('Control+Home'); // the cursor away from the problem
    await trigger.click();
    const problem = page.getByTestId('problems').getByRole('button', { name: /no_such_attribute/ });
    await problem.first().waitFor();
    expect(await page.getByTestId('problems').getByRole('button').count()).toBe(Number(/(\d+) errors?\b/.exec((await trigger.getAttribute('aria-label'))!)![1]));
    await shoot('problems', (await dataTheme(page)) as Theme);
    expect(await axeViolations(page)).toEqual([]);
    await problem.first().click();
    await expect.poll(() => editorSelection(page)).toContain('no_such_attribute');
    await expect.poll(() => page.getByTestId('problems').count()).toBe(0);
  });

  it('shows a long Procedure name on two lines with the whole name as its tooltip, and Draft with AI by its label', async () => {
    const { page } = app;
    const name = page.locator('li[data-procedure="Password reset and account unlock"] .procedure-name');
    expect(await name.getAttribute('title')).toBe('Password reset and account unlock');
    const shown = await name.evaluate((element) => ({ cut: element.scrollHeight > element.clientHeight + 1, lines: Math.round(element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight)) }));
    expect(shown).toEqual({ cut: false, lines: 2 });
    const draft = page.getByRole('button', { name: 'Draft with AI' });
    expect(await draft.textContent()).toBe('Draft with AI');
  });

  it('keeps the toolbars on one row at 1280 px, the graph\'s hint whole', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await openProcedure(page, 'Refund request');
      const measure = (selector: string) =>
        page.locator(selector).first().evaluate((toolbar) => {
          const controls = Array.from(toolbar.querySelectorAll('button')).filter((button) => button.offsetParent !== null);
          const rows = new Set(controls.map((button) => Math.round(button.getBoundingClientRect().top)));
          const box = toolbar.getBoundingClientRect();
          const outside = controls.filter((button) => {
            const rect = button.getBoundingClientRect();
            return rect.right > box.right + 0.5 || rect.left < box.left - 0.5;
          });
          return { controls: controls.length, rows: rows.size, height: box.height, clipped: toolbar.scrollWidth > toolbar.clientWidth, outside: outside.length };
        });
      const procedureBar = await measure('.procedure-toolbar');
      expect(procedureBar).toMatchObject({ rows: 1, clipped: false, outside: 0 });
      expect(procedureBar.controls).toBeGreaterThanOrEqual(3);
      expect(procedureBar.height).toBeLessThanOrEqual(48);
      const graphBar = await measure('[role="toolbar"][aria-label="Graph edits"]');
      expect(graphBar).toMatchObject({ rows: 1, clipped: false, outside: 0 });
      expect(graphBar.height).toBeLessThanOrEqual(48);
      // The hint, with nothing selected, is read whole: neither cut nor ellipsised.
      const hint = await page.locator('[role="toolbar"][aria-label="Graph edits"] .graph-hint').evaluate((element) => ({ text: element.textContent, cutX: element.scrollWidth > element.clientWidth + 1, cutY: element.scrollHeight > element.clientHeight + 1 }));
      expect(hint.text).toBeTruthy();
      expect(hint).toMatchObject({ cutX: false, cutY: false });
      await page.mouse.move(0, 0);
      await shoot('procedure-1280', (await dataTheme(page)) as Theme);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  for (const theme of THEMES) {
    it(`has no serious or critical accessibility issue on any screen in the ${theme} theme`, async () => {
      const { page } = app;
      await page.goto(app.mode.server.url.replace('#token=', '#/?token='));
      await list(page).locator('li').first().waitFor();
      await useTheme(page, theme);
      const found: Record<string, Violation[]> = {};

      await page.locator('.home').waitFor();
      await shoot('procedure-list', theme);
      found['procedure list'] = await axeViolations(page);

      await openProcedure(page, 'Damaged order claim');
      await page.mouse.move(0, 0);
      await shoot('procedure', theme);
      found['procedure screen'] = await axeViolations(page);

      await page.getByRole('button', { name: 'History' }).click();
      const history = page.getByRole('complementary', { name: 'History' });
      await history.locator('li[data-version]').first().waitFor();
      await history.getByRole('button', { name: 'Compare' }).click();
      // The diff, or "no differences" when the draft is the live text.
      await history.locator('[data-testid="diff"] .monaco-diff-editor, .diff-same').first().waitFor();
      await page.mouse.move(0, 0);
      await shoot('history', theme);
      found['history panel'] = await axeViolations(page);
      // A select's list open, over the panel.
      await history.getByRole('combobox', { name: 'From version' }).click();
      await page.getByRole('listbox').waitFor();
      await shoot('select', theme);
      found['select'] = await axeViolations(page);
      await page.keyboard.press('Escape');
      await page.getByRole('listbox').waitFor({ state: 'detached' });
      await history.getByRole('button', { name: 'Close history' }).click();

      await page.getByRole('button', { name: 'Publish…' }).click();
      await page.getByRole('dialog').waitFor();
      await shoot('dialog', theme);
      found['dialog'] = await axeViolations(page);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      await list(page).locator('li[data-procedure="Damaged order claim"]').hover();
      await list(page).getByRole('button', { name: 'Actions for Damaged order claim', exact: true }).click();
      await page.getByRole('menu').waitFor();
      await shoot('menu', theme);
      found['menu'] = await axeViolations(page);
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByRole('region', { name: 'Settings' }).getByLabel('API key').waitFor();
      await page.mouse.move(0, 0);
      await shoot('settings', theme);
      found['settings'] = await axeViolations(page);

      expect(found).toEqual({ 'procedure list': [], 'procedure screen': [], 'history panel': [], select: [], dialog: [], menu: [], settings: [] });
    }, 90_000);
  }

  it('asked nothing of any other host, and broke no CSP rule', () => {
    expect(foreignRequests(app)).toEqual([]);
    expect(app.problems).toEqual([]);
  });
});
