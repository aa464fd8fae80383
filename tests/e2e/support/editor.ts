// Helpers to drive the Procedure screen: Monaco's text and selection, the graph's nodes.
import type { Page } from 'playwright-core';

// What the renderer's test build exposes (renderer/src/procedures/test-inspection.ts).
interface Inspect {
  text(): string;
  selection(): string;
  diagnostics(): { severity: string; code: string; message: string; line: number }[];
}

/** The whole text of the editor (Monaco draws only the visible lines). */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { __stepwise: Inspect }).__stepwise.text());
}

/** The diagnostics the editor marks. */
export function editorDiagnostics(page: Page) {
  return page.evaluate(() => (globalThis as unknown as { __stepwise: Inspect }).__stepwise.diagnostics());
}

export function editorSelection(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { __stepwise: Inspect }).__stepwise.selection());
}

/** The lines Monaco shows, as a person reads them. */
export async function visibleLines(page: Page): Promise<string[]> {
  const lines = await page.locator('[data-testid="editor"] .view-line').allTextContents();
  return lines.map((line) => line.replace(/\u00a0/g, ' '));
}

/**
 * The graph's node for a node id of the Procedure graph. (React Flow's own ids stay the same while a
 * step is renamed, so they can differ from the language's ids; nodes inside an expanded
 * sub-procedure are named `<node>::<id in the callee>`.)
 */
export function graphNode(page: Page, id: string) {
  if (id.includes('::')) return page.locator(`.react-flow__node[data-id="${id}"]`);
  return page.locator(`.react-flow__node:has(> [data-node-id="${id}"])`);
}

/** Types line by line, closing any suggestion list before each Enter (which would accept it). */
export async function typeInEditor(page: Page, text: string) {
  await page.locator('[data-testid="editor"] textarea').focus();
  for (const [index, line] of text.split('\n').entries()) {
    if (index > 0) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
    }
    if (line) await page.keyboard.type(line);
  }
  await page.keyboard.press('Escape');
}

export async function answerDialog(page: Page, value: string | null, button: string) {
  await page.getByRole('dialog').waitFor();
  // Wait for this dialog to go, by its title: another may open right after it.
  const title = await page.getByRole('dialog').getAttribute('aria-label');
  const dialog = page.getByRole('dialog', { name: title ?? undefined, exact: true });
  if (value !== null) await dialog.locator('input, textarea').fill(value);
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** Fits the whole graph in view and waits until the viewport stops moving. */
export async function fitGraph(page: Page) {
  // A new layout waits for a pause in typing: let it land first.
  await page.locator('[data-testid="graph"]:not([data-layout="pending"])').waitFor();
  await page.locator('.react-flow__controls-fitview').click();
  await viewportSettled(page);
}

/**
 * Waits until the graph's viewport has stopped moving (zoom and fit animate), and returns its
 * transform. On a busy machine an animation can take far longer than its nominal duration, so this
 * waits for two equal readings in a row rather than for a fixed time.
 */
export async function viewportSettled(page: Page): Promise<string> {
  let previous = '';
  for (let i = 0; i < 100; i++) {
    await page.waitForTimeout(100);
    const current = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
    if (current === previous) return current;
    previous = current;
  }
  throw new Error(`the graph's viewport was still moving after 10 s: ${previous}`);
}
