// The app as the browser benches measure it: browser mode serving the production renderer build,
// on a fresh example workspace in a temporary home, and Chromium to open it in. One set-up, so each
// bench measures the same app the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowserMode, type BrowserMode } from '../../main/app/browser-mode';
import { buildRenderer, RENDERER_DIST } from '../../scripts/build-renderer';
import { launchChromium } from '../../scripts/chromium';

export interface AppInChromium {
  browser: Browser;
  mode: BrowserMode;
  /** Calls the engine directly (to set a workspace up); an error answer throws, naming the method. */
  call(method: string, input: unknown): Promise<unknown>;
  /** A new 1440×900 page on the app at `route` (as `/procedures/…`), `initScript` run before the page's own. */
  open(route: string, initScript?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Closes the app, then Chromium, and removes the home. */
  close(): Promise<void>;
}

/** Builds the renderer (when its sources changed), then starts the app in a home named after `bench`. */
export async function startAppInChromium(bench: string): Promise<AppInChromium> {
  await buildRenderer({ log: (line) => console.log(line) });
  const home = mkdtempSync(join(tmpdir(), `stepwise-${bench}-bench-`));
  const browser = await launchChromium();
  const mode = await launchBrowserMode({ home, staticRoot: RENDERER_DIST, python: false, log: () => {} });
  return {
    browser,
    mode,
    async call(method, input) {
      const result = await mode.engine.dispatch(method, input);
      if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
      return result.value;
    },
    async open(route, initScript) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      if (initScript) await page.addInitScript(initScript);
      // The launch token rides in the fragment, after the route.
      await page.goto(mode.server.url.replace('#token=', `#${route}?token=`));
      return { context, page };
    },
    async close() {
      await mode.close();
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
