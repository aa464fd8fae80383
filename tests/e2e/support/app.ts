// Starts browser mode on a random port over a fresh home folder (the first run creates the example
// workspace), and opens it in Chromium while recording every request the page makes. It serves the
// renderer's test build (dist/renderer-e2e), whose inspection support/editor.ts reads.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowserMode, type BrowserMode, type BrowserModeOptions } from '../../../main/app/browser-mode';
import { RENDERER_E2E_DIST, REPO_ROOT } from '../../../scripts/build-renderer';
import { animationsEnded } from './a11y';

export const ARTIFACTS = join(REPO_ROOT, 'tests', 'artifacts');

export interface RunningApp {
  mode: BrowserMode;
  home: string;
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, scripts, workers, fetches, sockets). */
  requests: string[];
  /** Console errors and CSP violations seen in the page. */
  problems: string[];
  /** Calls the engine directly (to set up or check what the page did); an error answer throws, naming the method. */
  call(method: string, input?: unknown): Promise<unknown>;
  close(): Promise<void>;
  screenshot(name: string): Promise<void>;
}

export async function startApp(browser: Browser, options: Partial<BrowserModeOptions> = {}): Promise<RunningApp> {
  const home = mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
  const mode = await launchBrowserMode({ home, staticRoot: RENDERER_E2E_DIST, python: false, log: () => {}, ...options });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}\n${error.error().stack?.split('\n').slice(1, 6).join('\n') ?? ''}`));
  const page = await context.newPage();
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  // A string, so that it runs in the page (where `document` exists) and not in Node.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI));",
  );
  return {
    mode,
    home,
    context,
    page,
    requests,
    problems,
    async call(method, input = {}) {
      const result = await mode.engine.dispatch(method, input);
      if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
      return result.value;
    },
    async close() {
      await context.close();
      await mode.close();
      rmSync(home, { recursive: true, force: true });
    },
    async screenshot(name: string) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await animationsEnded(page);
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    },
  };
}

/** Requests that went anywhere but the app's own origin. */
export function foreignRequests(app: RunningApp): string[] {
  const own = new URL(app.mode.server.origin);
  return app.requests.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
    return parsed.host !== own.host;
  });
}
