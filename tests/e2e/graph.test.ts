// The graph a person can read, in Chromium at 1× and 2× device pixel ratio, in a 640×800 graph panel:
// "fit" on every example Procedure draws every node title at an effective size of at least 10 px,
// no edge label overlaps another label or a node, an underscore survives in an action label,
// conditions read in words (the code one hover away, code that cannot be said stays code),
// semantic zoom and the minimap, and the keyboard. Screenshots of every example's graph at fit, in
// both themes, go to tests/artifacts/graph-<procedure>-<theme>.png.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RENDERER_E2E_DIST } from '../../scripts/build-renderer';
import { launchChromium } from '../../scripts/chromium';
import { conditionWords, parse, toGraph } from '../../shared/procedure';
import { readExample } from '../support/paths';
import { ARTIFACTS, startApp, type RunningApp } from './support/app';
import { answerDialog, editorSelection, editorText, fitGraph, graphNode, viewportSettled } from './support/editor';
import { parcelCheck } from '../fixtures/parcel-check';

const EXAMPLES = [
  { file: 'refund-request', name: 'Refund request' },
  { file: 'damaged-order', name: 'Damaged order claim' },
  { file: 'cancel-subscription', name: 'Cancel subscription' },
  { file: 'password-reset', name: 'Password reset and account unlock' },
  { file: 'verify-identity', name: 'Verify identity' },
];
const PANEL = { width: 640, height: 800 };

let browser: Browser;
let app: RunningApp;
let build: string;

beforeAll(async () => {
  browser = await launchChromium();
  // A copy of the test build of its own: another test run may rebuild dist/renderer-e2e meanwhile,
  // and a page loaded half-way through that would never draw.
  build = mkdtempSync(join(tmpdir(), 'stepwise-graph-e2e-'));
  cpSync(RENDERER_E2E_DIST, build, { recursive: true });
  app = await startApp(browser, { staticRoot: build });
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
  if (build) rmSync(build, { recursive: true, force: true });
});

/** A page in its own context at the given pixel ratio and theme, with the graph panel 640×800. */
async function openPage(scale: 1 | 2, theme: 'light' | 'dark'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, deviceScaleFactor: scale });
  const page = await context.newPage();
  await page.addInitScript(`localStorage.setItem('stepwise.theme', ${JSON.stringify(theme)}); document.documentElement.setAttribute('data-theme', ${JSON.stringify(theme)});`);
  return { context, page };
}

async function openProcedure(page: Page, name: string, panel = PANEL) {
  // The graph panel, 640×800 unless asked otherwise, whatever the screen's layout around it: set
  // before the page draws, so the graph opens in a panel of that size.
  await page.addInitScript(`document.addEventListener('DOMContentLoaded', () => { const style = document.createElement('style'); style.id = 'panel-size'; style.textContent = ${JSON.stringify(panelStyle(panel))}; document.head.append(style); });`);
  await page.goto(app.mode.server.url.replace('#token=', `#/procedures/${encodeURIComponent(name)}?token=`));
  await page.evaluate((css) => {
    const style = document.getElementById('panel-size') ?? document.head.appendChild(Object.assign(document.createElement('style'), { id: 'panel-size' }));
    style.textContent = css;
  }, panelStyle(panel));
  await graphNode(page, 'trigger').waitFor();
  await page.waitForFunction(({ width, height }) => {
    const box = document.querySelector('[data-testid="graph"]')?.getBoundingClientRect();
    return !!box && Math.round(box.width) === width && Math.round(box.height) === height;
  }, panel);
}

function panelStyle({ width, height }: { width: number; height: number }): string {
  return `.graph-pane { flex: 0 0 ${width}px !important; width: ${width}px !important; height: ${height}px !important; max-height: ${height}px !important; } .graph-pane > .graph { width: ${width}px; height: ${height}px; }`;
}

/** The zoom of the graph's viewport (its transform's scale). */
async function zoomOf(page: Page): Promise<number> {
  return page.locator('.react-flow__viewport').evaluate((element) => new DOMMatrixReadOnly(getComputedStyle(element).transform).a);
}

interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the readability and overlap checks read from the page. */
async function measure(page: Page) {
  return page.evaluate(() => {
    const viewport = document.querySelector('.react-flow__viewport')!;
    const zoom = new DOMMatrixReadOnly(getComputedStyle(viewport).transform).a;
    const boxOf = (element: Element, id: string) => {
      const rect = element.getBoundingClientRect();
      return { id, x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    };
    const nodes = Array.from(document.querySelectorAll('.react-flow__node') as NodeListOf<HTMLElement>).map((node) => {
      const title = node.querySelector('[data-title]') as HTMLElement | null;
      const style = title ? getComputedStyle(title) : null;
      return {
        box: boxOf(node, node.dataset.id ?? '?'),
        title: title ? boxOf(title, node.dataset.id ?? '?') : null,
        text: title?.textContent ?? '',
        fontSize: style ? parseFloat(style.fontSize) : 0,
      };
    });
    const overlays = Array.from(document.querySelectorAll('.react-flow__controls, .graph-minimap')).map((element) => boxOf(element, element.className));
    const labels = Array.from(document.querySelectorAll('.graph-edge-label') as NodeListOf<HTMLElement>).map((label) => ({
      box: boxOf(label, label.dataset.edgeLabel ?? '?'),
      text: label.textContent ?? '',
      scrollWidth: label.scrollWidth,
      clientWidth: label.clientWidth,
      fontSize: parseFloat(getComputedStyle(label).fontSize),
    }));
    return { zoom, nodes, labels, overlays };
  });
}

const overlap = (a: Box, b: Box) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;
const inside = (inner: Box, outer: Box) => inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

describe.each([
  { scale: 1 as const, theme: 'light' as const },
  { scale: 2 as const, theme: 'dark' as const },
])('every example at fit, $scale× in the $theme theme', ({ scale, theme }) => {
  let context: BrowserContext;
  let page: Page;
  let labelsSeen = 0;

  beforeAll(async () => {
    ({ context, page } = await openPage(scale, theme));
  });
  afterAll(async () => {
    await context?.close();
  });

  it.each(EXAMPLES)('$file: every title at ≥ 10 px, no label on a node or a label', { timeout: 90_000 }, async ({ file, name }) => {
    await openProcedure(page, name);
    await fitGraph(page);
    const { zoom, nodes, labels, overlays } = await measure(page);
    expect(overlays.length).toBeGreaterThan(0);
    expect(nodes.length).toBeGreaterThan(4);
    const graphBox = (await page.locator('.react-flow').boundingBox())!;
    for (const node of nodes) {
      expect(node.title, `${node.box.id} has a title`).not.toBeNull();
      expect(node.text.trim().length, `${node.box.id}'s title`).toBeGreaterThan(0);
      // Effective size: what the eye gets, the zoom times the font size.
      expect(zoom * node.fontSize, `${node.box.id} ("${node.text}") at zoom ${zoom.toFixed(2)} × ${node.fontSize}px`).toBeGreaterThanOrEqual(10);
      expect(inside(node.title!, node.box), `${node.box.id}'s title stays inside its node`).toBe(true);
      expect(inside(node.box, { id: 'graph', ...graphBox }), `${node.box.id} is in view after fit`).toBe(true);
      for (const overlay of overlays) expect(overlap(node.box, overlay), `${node.box.id} is under ${overlay.id}`).toBe(false);
    }
    for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) expect(overlap(a.box, b.box), `${a.box.id} overlaps ${b.box.id}`).toBe(false);
    for (const [i, label] of labels.entries()) {
      expect(label.scrollWidth, `label "${label.text}" fits its box`).toBeLessThanOrEqual(label.clientWidth + 1);
      expect(zoom * label.fontSize, `label "${label.text}" on screen`).toBeGreaterThanOrEqual(9);
      for (const node of nodes) expect(overlap(label.box, node.box), `label "${label.text}" overlaps ${node.box.id}`).toBe(false);
      for (const overlay of overlays) expect(overlap(label.box, overlay), `label "${label.text}" is under ${overlay.id}`).toBe(false);
      for (const other of labels.slice(i + 1)) expect(overlap(label.box, other.box), `label "${label.text}" overlaps "${other.text}"`).toBe(false);
    }
    labelsSeen += labels.length;
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, `graph-${file}-${theme}.png`);
    await page.getByTestId('graph').screenshot({ path: shot });
  });

  it.each(EXAMPLES)('$file: every branch test and trigger reads whole at fit, wrapped, never cut', { timeout: 90_000 }, async ({ file, name }) => {
    await openProcedure(page, name);
    await fitGraph(page);
    const graph = toGraph(parse(readExample(`${file}.md`)).document);
    const expected = graph.nodes.filter((node) => node.kind === 'branch' || node.kind === 'trigger').map((node) => ({ id: node.id, text: node.test === 'python' ? (conditionWords(node.label) ?? node.label.replace(/^`|`$/g, '')) : node.label }));
    expect(expected.filter((node) => node.id !== 'trigger').length).toBeGreaterThan(1);
    for (const { id, text } of expected) {
      const title = graphNode(page, id).locator('[data-title]');
      const drawn = await title.evaluate((element) => ({ text: element.textContent ?? '', scrollWidth: element.scrollWidth, clientWidth: element.clientWidth, scrollHeight: element.scrollHeight, clientHeight: element.clientHeight }));
      expect(drawn.text, `${id}'s title is its whole text`).toBe(text);
      expect(drawn.scrollWidth, `"${text}" is not cut across`).toBeLessThanOrEqual(drawn.clientWidth + 1);
      expect(drawn.scrollHeight, `"${text}" is not cut at its last line (${drawn.scrollHeight} > ${drawn.clientHeight})`).toBeLessThanOrEqual(drawn.clientHeight + 1);
    }
  });

  it('saw edge labels to check (the overlap check is not vacuous)', () => {
    expect(labelsSeen).toBeGreaterThanOrEqual(3);
  });

  it('keeps the underscore of an action label (shop.get_order) whole', async () => {
    await openProcedure(page, 'Refund request');
    // The graph opens at full zoom on its start, where the cards show their rows.
    await page.locator('[data-testid="graph"]:not([data-layout="pending"])').waitFor();
    await viewportSettled(page);
    const row = page.locator('.graph-row[data-node-id="step:find-the-order/action:shop.get_order"] .graph-row-label');
    await row.waitFor();
    expect(await row.textContent()).toBe('shop.get_order');
    // The card's other row: what the step collects, in words.
    expect(await page.locator('.react-flow__node[data-id="step:find-the-order"] .graph-row.kind-collect').textContent()).toBe('Collects order number');
    const fit = await row.evaluate((element) => {
      const style = getComputedStyle(element);
      const context = document.createElement('canvas').getContext('2d')!;
      context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const underscore = context.measureText('_');
      const metrics = context.measureText('Hg_');
      const lineHeight = parseFloat(style.lineHeight);
      // Where the underscore's ink ends, from the top of the label's box: the half-leading above
      // the font's ascent, the ascent, then the underscore's depth below the baseline.
      const halfLeading = (lineHeight - (metrics.fontBoundingBoxAscent + metrics.fontBoundingBoxDescent)) / 2;
      const inkBottom = parseFloat(style.paddingTop) + halfLeading + metrics.fontBoundingBoxAscent + underscore.actualBoundingBoxDescent;
      return { inkBottom, height: element.clientHeight, overflow: style.overflowY, fontSize: parseFloat(style.fontSize), lineHeight };
    });
    await page.getByTestId('graph').screenshot({ path: join(ARTIFACTS, `graph-refund-request-near-${theme}${scale === 2 ? '@2x' : ''}.png`) });
    expect(fit.lineHeight).toBeGreaterThanOrEqual(fit.fontSize * 1.2);
    expect(fit.inkBottom, `the underscore ends ${fit.inkBottom.toFixed(1)} px down a ${fit.height} px box`).toBeLessThanOrEqual(fit.height);
  });
});

describe('the graph reads in words', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ({ context, page } = await openPage(1, 'light'));
    await openProcedure(page, 'Refund request');
  });
  afterAll(async () => {
    await context?.close();
  });

  it('says a branch test in words, with the code one hover away', async () => {
    await fitGraph(page);
    const branch = graphNode(page, 'step:check-eligibility/cond1/b1');
    expect(await branch.locator('[data-title]').textContent()).toBe('days since delivery > 30');
    expect(await graphNode(page, 'step:check-eligibility/cond1/b2').locator('[data-title]').textContent()).toBe('status from shop.get_order is not “delivered”');
    expect(await graphNode(page, 'step:check-eligibility/cond1/b3').locator('[data-title]').textContent()).toBe('Otherwise');
    await branch.locator('[data-title]').hover();
    const tooltip = page.locator('.sw-tooltip');
    await expect.poll(() => tooltip.count()).toBeGreaterThan(0);
    expect(await tooltip.first().locator('code').textContent()).toBe('attributes["days_since_delivery"] > 30');
  });

  it('shows steps as cards in document order, top to bottom, with their contents as rows', async () => {
    await fitGraph(page);
    const top = async (id: string) => (await graphNode(page, id).boundingBox())!.y;
    const steps = ['trigger', 'step:find-the-order', 'step:understand-the-reason', 'step:check-eligibility', 'step:work-out-the-amount', 'step:issue-the-refund'];
    const tops = await Promise.all(steps.map(top));
    expect(tops).toEqual([...tops].sort((a, b) => a - b));
    // Conditions fan out below their step; a handoff and an end are nodes of their own.
    expect(await top('step:check-eligibility/cond1')).toBeGreaterThan(await top('step:check-eligibility'));
    expect(await top('step:check-eligibility/cond1/b2')).toBeGreaterThan(await top('step:check-eligibility/cond1'));
    expect(await graphNode(page, 'step:check-eligibility/handoff:orders-team').getAttribute('class')).toBeTruthy();
    // The action is a row of its step's card, not a node of its own.
    expect(await page.locator('.react-flow__node:has(> [data-node-id="step:find-the-order/action:shop.get_order"])').count()).toBe(0);
  });

  it('collapses cards to their titles at low zoom and shows their rows up close (semantic zoom), with a minimap', async () => {
    await fitGraph(page);
    expect(await zoomOf(page)).toBeLessThan(0.85);
    expect(await page.locator('.graph-row').count()).toBe(0);
    expect(await page.locator('.graph-minimap').count()).toBe(1);
    // React Flow's attribution stays, clear of the minimap and the controls.
    const attribution = (await page.locator('.react-flow__attribution').boundingBox())!;
    for (const overlay of ['.graph-minimap', '.react-flow__controls']) {
      const box = (await page.locator(overlay).boundingBox())!;
      expect(overlap({ id: 'attribution', ...attribution }, { id: overlay, ...box }), `the attribution ${JSON.stringify(attribution)} on ${overlay} ${JSON.stringify(box)}`).toBe(false);
    }
    for (let i = 0; i < 8 && (await zoomOf(page)) < 0.9; i++) {
      await page.locator('.react-flow__controls-zoomin').click();
      await viewportSettled(page);
    }
    await expect.poll(() => page.locator('.graph-row').count()).toBeGreaterThan(0);
  });

  it('goes from node to node with the keyboard, with a visible focus ring, and Enter reveals the text', async () => {
    await fitGraph(page);
    await graphNode(page, 'trigger').focus();
    const active = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id ?? null);
    expect(await active()).toBe('trigger');
    await page.keyboard.press('ArrowDown');
    expect(await active()).toBe('step:find-the-order');
    const ring = await page.evaluate(() => {
      const card = (document.activeElement as HTMLElement).querySelector('.graph-node')!;
      const style = getComputedStyle(card);
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('ArrowDown');
    expect(await active()).toBe('step:understand-the-reason');
    await page.keyboard.press('ArrowUp');
    expect(await active()).toBe('step:find-the-order');
    // Tab also walks the nodes.
    await page.keyboard.press('Tab');
    expect(await active()).toBe('step:understand-the-reason');
    await page.keyboard.press('Enter');
    await expect.poll(() => editorSelection(page)).toContain('Understand the reason');
  });
});

describe('calls and reordering in the top-to-bottom graph', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ({ context, page } = await openPage(1, 'light'));
  });
  afterAll(async () => {
    await context?.close();
  });

  it('expands a call, a row of its step\'s card, to show the Procedure it calls inside a node', { timeout: 90_000 }, async () => {
    await openProcedure(page, 'Damaged order claim');
    await page.locator('[data-testid="graph"]:not([data-layout="pending"])').waitFor();
    await viewportSettled(page);
    // Up close (the graph opens at full zoom): walk to the step with the keyboard, which brings it into view.
    await graphNode(page, 'trigger').focus();
    const active = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id ?? null);
    for (let i = 0; i < 30 && (await active()) !== 'step:resolve'; i++) await page.keyboard.press('ArrowDown');
    expect(await active()).toBe('step:resolve');
    await viewportSettled(page);
    const row = page.locator('.graph-row[data-node-id="step:resolve/call:verify-identity"]');
    expect(await row.textContent({ timeout: 10_000 })).toContain('Verify identity');
    await row.getByRole('button', { name: 'Show Verify identity' }).click({ timeout: 10_000 });
    const inner = page.locator('.react-flow__node[data-id="step:resolve/call:verify-identity::step:check-the-code"]');
    await expect.poll(() => inner.count(), { timeout: 10_000 }).toBe(1);
    // Expanded, the call is a node of its own (a compound one); the card no longer lists it.
    const call = graphNode(page, 'step:resolve/call:verify-identity');
    expect(await call.count()).toBe(1);
    expect(await row.count()).toBe(0);
    await call.getByRole('button', { name: 'Hide Verify identity' }).click();
    await expect.poll(() => inner.count()).toBe(0);
    await expect.poll(() => row.count()).toBe(1);
  });

  it('reorders steps by dragging a card up between two others, as one undoable edit', { timeout: 90_000 }, async () => {
    await openProcedure(page, 'Damaged order claim');
    await fitGraph(page);
    const before = await editorText(page);
    const source = await graphNode(page, 'step:wrap-up').boundingBox();
    const first = await graphNode(page, 'step:find-the-order').boundingBox();
    const target = await graphNode(page, 'step:check-the-claim-window').boundingBox();
    if (!source || !target || !first) throw new Error('the step nodes are not drawn');
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    // Let go between the first two steps: below the first, above the second.
    await page.mouse.move(target.x + target.width / 2, (first.y + first.height + target.y) / 2, { steps: 8 });
    // Rest a moment before letting go, as a hand does: React Flow applies the last move on the next frame.
    await page.waitForTimeout(150);
    await page.mouse.up();
    await expect.poll(async () => {
      const text = await editorText(page);
      return text.indexOf('## Wrap up') < text.indexOf('## Check the claim window');
    }).toBe(true);
    const after = await editorText(page);
    expect(after.indexOf('## Find the order')).toBeLessThan(after.indexOf('## Wrap up'));
    await page.locator('[data-testid="editor"] textarea').focus();
    await page.keyboard.press('Control+z');
    await expect.poll(() => editorText(page)).toBe(before);
  });
});

describe('a test too complex for words', () => {
  it('stays code, in a monospace chip, with the code on hover too', async () => {
    const { context, page } = await openPage(1, 'light');
    try {
      await openProcedure(page, 'Refund request');
      await fitGraph(page);
      // Find and replace in the editor: the test becomes one conditionWords cannot say.
      await page.locator('[data-testid="editor"] textarea').focus();
      await page.keyboard.press('Control+h');
      const find = page.locator('.find-widget textarea[aria-label="Find"], .find-widget input[aria-label="Find"]');
      await find.waitFor();
      await find.fill('attributes["refund_amount"] == 0');
      const replace = page.locator('.find-widget textarea[aria-label="Replace"], .find-widget input[aria-label="Replace"]');
      await replace.fill('round(attributes["refund_amount"]) == 0');
      await page.keyboard.press('Control+Alt+Enter');
      const branch = graphNode(page, 'step:work-out-the-amount/cond1/b1');
      await expect.poll(() => branch.locator('.graph-code-chip').count(), { timeout: 10_000 }).toBe(1);
      expect(await branch.locator('.graph-code-chip').textContent()).toBe('round(attributes["refund_amount"]) == 0');
      const family = await branch.locator('.graph-code-chip').evaluate((element) => getComputedStyle(element).fontFamily);
      expect(family).toMatch(/mono/i);
      // Its neighbour still reads in words.
      expect(await graphNode(page, 'step:work-out-the-amount/cond1/b2').locator('[data-title]').textContent()).toBe('refund amount > 200');
    } finally {
      await context.close();
    }
  }, 90_000);
});

// The Parcel check of tests/e2e/preview.test.ts (its draft): the compare layout draws it in a
// graph column about 260 px wide.
const PARCEL_CHECK = parcelCheck('shipped');

/** The drawn boxes of the nodes in view (a hidden canvas draws nothing), and of the pane and its toolbar. */
async function drawnBoxes(page: Page) {
  return page.evaluate(() => {
    const boxOf = (element: Element, id: string) => {
      const rect = element.getBoundingClientRect();
      return { id, x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    };
    const nodes = Array.from(document.querySelectorAll('.react-flow__node') as NodeListOf<HTMLElement>)
      .filter((node) => getComputedStyle(node).visibility === 'visible' && !node.closest('.react-flow__node .react-flow__node'))
      // A pill is drawn narrower than its card-wide box: what the eye sees is the pill.
      .map((node) => boxOf(node.querySelector('.graph-node') ?? node, node.dataset.id ?? '?'));
    const pane = document.querySelector('.react-flow')!;
    const toolbar = document.querySelector('.graph-toolbar')!;
    return { nodes, pane: boxOf(pane, 'pane'), toolbar: boxOf(toolbar, 'toolbar') };
  });
}

function expectNoOverlap(nodes: Box[], when: string) {
  expect(nodes.length, when).toBeGreaterThan(3);
  for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) expect(overlap(a, b), `${when}: ${a.id} drawn over ${b.id}`).toBe(false);
}

let parcelCheckAdded = false;
async function addParcelCheck() {
  if (parcelCheckAdded) return;
  await app.call('procedures.create', { name: 'Parcel check' });
  await app.call('procedures.saveDraft', { name: 'Parcel check', text: PARCEL_CHECK });
  parcelCheckAdded = true;
}

const WIDTHS = [260, 400, 640];
const ALL = [...EXAMPLES, { file: 'parcel-check', name: 'Parcel check' }];

describe.each(WIDTHS)('in a graph pane %i px wide', (width) => {
  const panel = { width, height: PANEL.height };
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    await addParcelCheck();
  });
  beforeEach(async () => {
    ({ context, page } = await openPage(1, 'light'));
  });
  afterEach(async () => {
    await context?.close();
  });

  it.each(ALL)('$file: no node is drawn over another, from the first frame it shows; it opens inside the pane; fit puts every node in view below the toolbar', { timeout: 90_000 }, async ({ name }) => {
    await openProcedure(page, name, panel);
    // The first frame the graph shows: nothing provisional, nothing stacked.
    const first = await drawnBoxes(page);
    expectNoOverlap(first.nodes, 'as it opens');
    await page.locator('[data-testid="graph"]:not([data-layout="pending"])').waitFor();
    await viewportSettled(page);
    const opened = await drawnBoxes(page);
    expectNoOverlap(opened.nodes, 'opened');
    // It opens either fitted whole or on its trigger, and the trigger is never cut at the pane's edge.
    const trigger = opened.nodes.find((node) => node.id === 'trigger')!;
    expect(inside(trigger, opened.pane), `the trigger ${JSON.stringify(trigger)} inside the pane ${JSON.stringify(opened.pane)}`).toBe(true);
    await fitGraph(page);
    const fitted = await drawnBoxes(page);
    expectNoOverlap(fitted.nodes, 'at fit');
    for (const node of fitted.nodes) {
      expect(inside(node, fitted.pane), `${node.id} inside the pane at fit`).toBe(true);
      expect(node.y, `${node.id} below the toolbar`).toBeGreaterThanOrEqual(fitted.toolbar.y + fitted.toolbar.height - 0.5);
    }
  });

  it('fit follows the pane when it is resized, and the toolbar when it wraps to another number of rows', { timeout: 90_000 }, async () => {
    await openProcedure(page, 'Damaged order claim', panel);
    await fitGraph(page);
    const narrower = { width: Math.round(width * 0.7), height: 600 };
    await page.evaluate((css) => {
      document.getElementById('panel-size')!.textContent = css;
    }, panelStyle(narrower));
    await viewportSettled(page);
    const after = await drawnBoxes(page);
    expect(Math.round(after.pane.width)).toBe(narrower.width);
    for (const node of after.nodes) expect(inside(node, after.pane), `${node.id} inside the ${narrower.width}×${narrower.height} pane after it shrank`).toBe(true);
  });
});

describe('adding a branch through the graph\'s toolbar', () => {
  it.each([260, 640])('draws the new branch clear of every other node at once, and after the layout (%i px pane)', { timeout: 90_000 }, async (width) => {
    const { context, page } = await openPage(1, 'light');
    try {
      await openProcedure(page, 'Damaged order claim', { width, height: PANEL.height });
      await fitGraph(page);
      await graphNode(page, 'step:check-the-claim-window/cond1').click();
      await page.getByRole('toolbar', { name: 'Graph edits' }).getByRole('button', { name: 'Add branch' }).click();
      await answerDialog(page, 'the order was a gift', 'Add branch');
      await graphNode(page, 'step:check-the-claim-window/cond1/b3').waitFor();
      // At once, before the new layout lands (it waits for a pause in typing).
      expectNoOverlap((await drawnBoxes(page)).nodes, 'just added');
      await page.locator('[data-testid="graph"]:not([data-layout="pending"])').waitFor();
      await expect.poll(() => page.locator('[data-testid="graph"]').getAttribute('data-layout')).toBe('done');
      await viewportSettled(page);
      expectNoOverlap((await drawnBoxes(page)).nodes, 'laid out');
    } finally {
      await context.close();
    }
  });
});
