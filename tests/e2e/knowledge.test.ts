// The knowledge screen in Chromium, against browser mode: a folder import shows its progress
// (counts, a bar that moves), reports the unreadable file and the duplicate by name, and is then
// searchable with snippets marking the matched terms; a cancelled import keeps nothing; files
// dropped on the page import too; an article is edited and deleted; the Procedure screen's
// knowledge link shows what a test query finds where the text says to search the hub, and opens an
// article there, by keyboard; axe-clean in both themes.
// Screenshots go to tests/artifacts/knowledge-*.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_PROBES, searchSummary, type SearchSample } from '../../bench/support/knowledge-probes';
import { launchChromium } from '../../scripts/chromium';
import { startApp, type RunningApp } from './support/app';
import { animationsEnded, axeViolations, settled } from './support/a11y';

const FILES = 240;
let browser: Browser;
let app: RunningApp;
let folder = '';

beforeAll(async () => {
  browser = await launchChromium();
  app = await startApp(browser);
  folder = join(app.home, 'help-centre');
  mkdirSync(join(folder, 'shipping'), { recursive: true });
  for (let index = 0; index < FILES; index++) {
    writeFileSync(join(folder, 'shipping', `article-${index}.md`), `# Parcel rule ${index}\n\nParcels of kind ${index} travel with the capybara courier on weekdays.\n`);
  }
  writeFileSync(join(folder, 'logo.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  writeFileSync(join(folder, 'copy.md'), `# Parcel rule 7\n\nParcels of kind 7 travel with the capybara courier on weekdays.\n`);
  await app.page.goto(app.mode.server.url);
  await app.page.getByRole('button', { name: 'Knowledge' }).click();
  await app.page.getByRole('region', { name: 'Knowledge' }).waitFor();
});

afterAll(async () => {
  await app?.close();
  await browser?.close();
});

async function count(): Promise<number> {
  return ((await app.call('knowledge.list', { limit: 1 })) as { total: number }).total;
}

/** Slows each batch on its way back, so the progress can be watched (the engine still does the work). */
async function slowBatches(page: Page, ms: number) {
  await page.route('**/api/call/knowledge.importFiles', async (route) => {
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await route.fulfill({ response });
  });
}

describe('the knowledge screen', () => {
  it('a cancelled folder import keeps nothing', async () => {
    const { page } = app;
    const before = await count();
    await slowBatches(page, 400);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByLabel('Choose a folder').setInputFiles(folder);
    await page.getByRole('progressbar', { name: 'Reading files' }).waitFor();
    await page.getByRole('region', { name: 'Import articles' }).getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Import articles' }).textContent()).toContain('Import cancelled');
    expect(await count()).toBe(before);
    await page.unroute('**/api/call/knowledge.importFiles');
  });

  it('imports a folder with a moving progress bar and counts, reports problems per file, and is then searchable with snippets', async () => {
    const { page } = app;
    const before = await count();
    await slowBatches(page, 250);
    await page.getByLabel('Choose a folder').setInputFiles(folder);
    const bar = page.getByRole('progressbar', { name: 'Reading files' });
    await bar.waitFor();
    // The bar moves: a value strictly between the start and the end is seen.
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 }).toBeGreaterThan(0);
    const midway = Number(await bar.getAttribute('aria-valuenow'));
    expect(midway).toBeLessThan(FILES + 2);
    expect(await page.getByRole('region', { name: 'Import articles' }).textContent()).toMatch(/\d+ of 242 files · \d+ articles/);
    await settled(page);
    await app.screenshot('knowledge-import-progress');
    const region = page.getByRole('region', { name: 'Import articles' });
    await expect.poll(() => region.textContent(), { timeout: 60_000 }).toContain('Import finished');
    expect(await region.textContent()).toContain(`${FILES} articles added`);
    const problems = page.getByRole('list', { name: 'Files with problems' });
    expect(await problems.textContent()).toContain('help-centre/logo.txt: the file holds binary data, not text');
    expect(await problems.textContent()).toMatch(/help-centre\/(copy\.md|shipping\/article-7\.md): the same article as help-centre\//);
    expect(await count()).toBe(before + FILES);
    await settled(page);
    await app.screenshot('knowledge-import-done');
    await page.unroute('**/api/call/knowledge.importFiles');

    await page.getByLabel('Search the knowledge hub').fill('capybara weekdays 42');
    const results = page.getByRole('list', { name: 'Search results' });
    await expect.poll(() => results.locator('li').first().getAttribute('data-article')).toBe('Parcel rule 42');
    const first = results.locator('li').first();
    expect(await first.locator('mark').allTextContents()).toEqual(expect.arrayContaining(['capybara', 'weekdays']));
    // Relevance in words against the best hit, the raw score only in the tooltip.
    expect(await first.getByTestId('relevance').textContent()).toBe('Best match');
    expect(await first.getByTestId('relevance').getAttribute('title')).toMatch(/^Relevance score \d+\.\d\d/);
    await settled(page);
    await app.screenshot('knowledge-search');
  });

  it('imports files dropped on the page', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const drop = page.getByTestId('knowledge-drop');
    const transfer = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['# Ferret policy\n\nFerrets may not travel by parcel.'], 'ferrets.md', { type: 'text/markdown' }));
      data.items.add(new File(['Otters ship in cool boxes.'], 'otters.txt', { type: 'text/plain' }));
      return data;
    });
    await drop.dispatchEvent('drop', { dataTransfer: transfer });
    await expect.poll(() => page.getByRole('region', { name: 'Import articles' }).textContent()).toContain('2 articles added');
    await page.getByLabel('Search the knowledge hub').fill('ferrets');
    await expect.poll(() => page.getByRole('list', { name: 'Search results' }).locator('li').first().getAttribute('data-article')).toBe('Ferret policy');
  });

  it('edits and deletes an article; an empty title is shown next to the field and nothing is saved', async () => {
    const { page } = app;
    await page.getByRole('list', { name: 'Search results' }).locator('li[data-article="Ferret policy"] button').click({ timeout: 10_000 });
    const form = page.getByRole('form', { name: 'Article Ferret policy' });
    await form.getByLabel('Title').fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    expect(await form.locator('.sw-field-error').textContent()).toBe('an article needs a title');
    await form.getByLabel('Title').fill('Ferret and weasel policy');
    await form.getByLabel('Tags').fill('animals, shipping');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('form', { name: 'Article Ferret and weasel policy' }).waitFor({ timeout: 10_000 }).catch(async (error: Error) => {
      await app.screenshot('knowledge-debug');
      throw error;
    });
    await settled(page);
    await app.screenshot('knowledge-article');
    await page.getByLabel('Search the knowledge hub').fill('weasel');
    await expect.poll(() => page.getByRole('list', { name: 'Search results' }).locator('li').first().getAttribute('data-article')).toBe('Ferret and weasel policy');
    await page.getByRole('form', { name: 'Article Ferret and weasel policy' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Search results' }).textContent()).toContain('No article matches.');
  });

  it("follows the Procedure screen's knowledge link by keyboard, to the articles a test query finds", async () => {
    const { page } = app;
    await page.evaluate(() => (window.location.hash = '#/procedures/Refund%20request'));
    const trigger = page.getByTestId('knowledge-mentions');
    await trigger.waitFor();
    expect(await trigger.getAttribute('aria-label')).toBe('Knowledge hub: 1 mention');
    await trigger.focus();
    await page.keyboard.press('Enter');
    const popover = page.getByRole('dialog', { name: 'Knowledge hub mentions' });
    await popover.waitFor();
    expect(await popover.textContent()).toContain("If they can't find it, search the knowledge hub and explain where it is.");
    // The test query made from the step and the sentence finds the article the Procedure means, first.
    const found = popover.getByRole('list', { name: /^Articles found for line \d+$/ });
    await expect.poll(() => found.getByRole('link').first().textContent()).toBe('Where to find your order number');
    expect(await found.getByRole('link').count()).toBeLessThanOrEqual(5);
    expect(await found.locator('mark').count()).toBeGreaterThan(0);
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="theme-switch"]')!.click());
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await animationsEnded(page);
      expect(await axeViolations(page, '[role="dialog"]'), `knowledge link in ${theme}`).toEqual([]);
    }
    await app.screenshot('knowledge-procedure-link');
    // A query of one's own, then Tab to its first article and Enter: the knowledge screen, that search, that article.
    const query = popover.getByLabel(/^Test query for line \d+$/);
    await query.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('password reset');
    await expect.poll(() => found.getByRole('link').first().textContent()).toBe('Reset your password');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Reset your password');
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: 'Article Reset your password' }).waitFor();
    expect(await page.evaluate(() => decodeURIComponent(window.location.hash))).toMatch(/^#\/knowledge\?q=password\+reset&article=\d+$/);
    expect(await page.getByLabel('Search the knowledge hub').inputValue()).toBe('password reset');
    await expect.poll(() => page.getByRole('list', { name: 'Search results' }).locator('li').first().getAttribute('data-article')).toBe('Reset your password');
    await settled(page);
    await app.screenshot('knowledge-from-procedure');
    // "Open this search" goes to the search alone.
    await page.goBack();
    await page.getByTestId('knowledge-mentions').click();
    await page.getByRole('dialog', { name: 'Knowledge hub mentions' }).getByRole('link', { name: 'Open this search in the knowledge hub' }).click();
    await page.getByRole('list', { name: 'Search results' }).waitFor();
    expect(await page.getByLabel('Search the knowledge hub').inputValue()).toBe('Find the order If they find it and explain where it is');
    expect(await page.evaluate(() => window.location.hash)).not.toContain('article=');
  });

  // Figures (issue 18): importing 5,000 articles through the app, with the page's frame times
  // meanwhile; then search over 50,000 articles, from keystroke to results on screen. Printed for
  // the report. The frame bound (the 50 ms) is asserted; the search one (100 ms) is only
  // printed here, with the load and where the time goes (the request: HTTP and the engine's search;
  // the answer to paint): on the shared 2-core machine it moves with what else runs. Its budget is
  // asserted by `npm run bench -- knowledge`, which times about 180 keystrokes.
  it('imports 5,000 articles with frames under 50 ms (p95), and times search over 50,000 from keystroke to results', async () => {
    const { page } = app;
    const many = join(app.home, 'many');
    mkdirSync(many, { recursive: true });
    const words = ['refund', 'parcel', 'courier', 'invoice', 'warranty', 'voucher', 'exchange', 'tracking', 'delivery', 'account'];
    for (let index = 0; index < 5000; index++) {
      writeFileSync(join(many, `a-${index}.md`), `# Help ${index}: ${words[index % 10]} and ${words[(index * 7) % 10]}\n\nArticle ${index} on ${words[index % 10]} rules, ${words[(index * 3) % 10]} times and a ${words[(index * 7) % 10]} form for case ${index}.\n`);
    }
    const before = await count();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.evaluate(() => {
      const frames: number[] = [];
      (window as unknown as { __frames: number[] }).__frames = frames;
      let last = performance.now();
      const tick = (now: number) => {
        frames.push(now - last);
        last = now;
        if (frames.length < 100_000) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const started = Date.now();
    await page.getByLabel('Choose a folder').setInputFiles(many);
    const region = page.getByRole('region', { name: 'Import articles' });
    await expect.poll(() => region.textContent(), { timeout: 240_000, interval: 200 }).toContain('Import finished');
    const importMs = Date.now() - started;
    const frames = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.splice(0));
    expect(await count()).toBe(before + 5000);
    const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;
    const frameP95 = p95(frames.slice(1));

    // Up to 50,000 articles, added through the engine's own import calls (not timed).
    const { importId } = (await app.call('knowledge.importStart')) as { importId: string };
    const missing = 50_000 - (await count());
    for (let chunk = 0; chunk * 5000 < missing; chunk++) {
      const entries = Array.from({ length: Math.min(5000, missing - chunk * 5000) }, (_, index) => {
        const n = chunk * 5000 + index;
        return { title: `Note ${n} about ${words[n % 10]}`, body: `Stored note ${n}: ${words[(n * 3) % 10]} and ${words[(n * 7) % 10]} for team ${n % 97}.` };
      });
      await app.call('knowledge.importFiles', { importId, files: [{ name: `bulk-${chunk}.json`, base64: Buffer.from(JSON.stringify(entries)).toString('base64') }] });
    }
    await app.mode.engine.dispatch('knowledge.importCommit', { importId });
    expect(await count()).toBeGreaterThanOrEqual(50_000);

    const box = page.getByLabel('Search the knowledge hub');
    await box.fill('');
    // The bench's probes (bench/support/knowledge-probes.ts): keydown to the results answering that text painted.
    await page.evaluate(SEARCH_PROBES);
    for (const query of ['refund courier', 'warranty form', 'parcel tracking 42', 'voucher exchange']) {
      await box.fill('');
      await page.waitForTimeout(150);
      await box.pressSequentially(query, { delay: 160 });
      await page.waitForTimeout(300);
    }
    const samples = await page.evaluate(() => (window as unknown as { __ks: { samples: SearchSample[] } }).__ks.samples);
    const latencies = samples.map((sample) => sample.total);
    console.log(
      `knowledge figures (load average ${loadavg()[0]!.toFixed(1)}): import of 5,000 files ${importMs} ms; frame time p95 ${frameP95.toFixed(1)} ms over ${frames.length} frames; ` +
        `search over ${await count()} articles, keystroke to results on screen ${searchSummary(latencies)} over ${latencies.length} keystrokes ` +
        `(request ${searchSummary(samples.map((sample) => sample.request))}; answer to paint ${searchSummary(samples.map((sample) => sample.render))})`,
    );
    expect(latencies.length).toBeGreaterThan(30);
    expect(frameP95).toBeLessThan(50);
  }, 600_000);

  it('is axe-clean in both themes', async () => {
    const { page } = app;
    await page.getByLabel('Search the knowledge hub').fill('capybara');
    await page.getByRole('list', { name: 'Search results' }).locator('li').first().locator('button').click();
    for (const theme of ['light', 'dark']) {
      if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await page.getByTestId('theme-switch').click();
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await settled(page);
      expect(await axeViolations(page), `article in ${theme}`).toEqual([]);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await settled(page);
      expect(await axeViolations(page), `import in ${theme}`).toEqual([]);
      await app.screenshot(`knowledge-${theme}`);
    }
    expect(app.problems).toEqual([]);
  });
});
