// What the end-to-end tests check a screen by: axe-core's serious and critical violations, and a
// page whose animations have ended (so a screenshot or a check sees the final state).
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** axe-core's serious and critical violations, in the whole page or inside one element (a dialog, a panel). */
export async function axeViolations(page: Page, within?: string): Promise<string[]> {
  // A dialog fading in has a blended colour for 160 ms; axe must read the colours the user ends up seeing.
  await animationsEnded(page);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  return page.evaluate(async (selector) => {
    const context = selector ? document.querySelector(selector)! : document;
    const result = await (window as unknown as { axe: typeof axe }).axe.run(context, { resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
  }, within);
}

/** Waits until no finite animation runs (the pointer moved away first, so no hover starts one). */
export async function settled(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await animationsEnded(page);
}

/** Waits until every finite animation and transition has ended, without touching the pointer. */
export async function animationsEnded(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity));
}
