// The chat preview in Chromium, against browser mode, as the app ships (the production renderer
// build), compare mode on the draft and the live version of one Procedure, the agent played by the
// fake Messages API through the real SDK (each streamed event 30 ms after the last):
//   1. streamed token to screen: from the engine receiving a streamed piece of the reply (its
//      preview.reply event; the fake server is on loopback in this process) to the frame after the
//      pane shows that text. Budget: p95 under 30 ms.
//   2. appending a trace event to a pane holding 2,000: from the engine's preview.trace event to
//      the frame after the timeline counts it. Budget: p95 under 16 ms.
//   3. the page's JS heap (after a garbage collection) after 20 preview turns in two panes (each
//      pane reset every 3 turns: the runtime escalates a conversation that keeps coming back to the
//      same Procedure as a loop).
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { startFakeAnthropic, toolCalls, type FakeResponse, type RecordedRequest } from '../tests/support/fake-anthropic';
import { startAppInChromium } from './support/app-in-chromium';
import { percentile } from './stats';

const TOKEN_P95_BUDGET_MS = 30;
const APPEND_P95_BUDGET_MS = 16;
const TURNS = 20;
const TURNS_PER_CONVERSATION = 3;
const TRACE_BASE = 2_000;
const APPENDS = 100;

const PROCEDURE = `---
name: Bench chat
trigger: The customer asks anything.
---

## Answer
Answer the customer's question in a few sentences. @end
`;

/** Replies with a long streamed text, numbered so each turn's text is its own. */
function agent(request: RecordedRequest): FakeResponse {
  if (JSON.stringify(request.body.tool_choice ?? '').includes('route')) return toolCalls(['route', { procedure: 'Bench chat', reason: 'It is a question.' }]);
  const asked = [...JSON.stringify(request.body.messages).matchAll(/Question (\d+)\?/g)].at(-1)?.[1] ?? '0';
  const text = `Answer to question ${asked}: ${'the parcel is on its way and should arrive soon. '.repeat(3)}`;
  return { ...toolCalls(['reply', { message: text }], ['end_procedure', { summary: 'Answered.' }]), chunkDelayMs: 30 };
}

const nowEpoch = () => performance.timeOrigin + performance.now();

/** Page side: the epoch time of the frame after a streamed text (or trace count) first shows. */
const PROBES = `
  window.__shown = [];
  window.__watch = () => {
    new MutationObserver(() => {
      for (const bubble of document.querySelectorAll('[data-testid="bubble-streaming"]')) {
        const text = bubble.textContent;
        if (text && !window.__seenTexts.has(text)) {
          window.__seenTexts.add(text);
          requestAnimationFrame(() => window.__shown.push({ text, at: performance.timeOrigin + performance.now() }));
        }
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  };
  window.__seenTexts = new Set();
  window.__waitForCount = (selector, count) => new Promise((resolve) => {
    const check = () => {
      const summary = document.querySelector(selector);
      // The count is grouped for reading ('2,000 events'): compared as a number.
      const shown = /^([0-9,]+) events?/.exec(summary ? summary.textContent : '');
      if (shown && Number(shown[1].replace(/,/g, '')) === count) { requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now())); return true; }
      return false;
    };
    if (check()) return;
    const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
`;

async function startPanes(page: Page) {
  for (const label of ['Left pane', 'Right pane']) {
    const pane = page.getByRole('region', { name: label, exact: true });
    await pane.getByRole('button', { name: 'Start' }).click();
    await pane.locator('.trace-row').first().waitFor();
  }
}

export async function run(): Promise<boolean> {
  const app = await startAppInChromium('preview');
  const fake = await startFakeAnthropic(agent);
  const { call, mode } = app;
  const load = loadavg()[0]!;
  try {
    await call('settings.save', { provider: 'anthropic', baseURL: fake.url, models: { agent: 'bench-agent', customer: 'c', judge: 'j', author: 'a' }, apiKey: 'sk-bench' });
    await call('procedures.create', { name: 'Bench chat' });
    const saved = (await call('procedures.saveDraft', { name: 'Bench chat', text: PROCEDURE })) as { draftHash: string };
    await call('procedures.publish', { name: 'Bench chat', note: 'bench', expectedHash: saved.draftHash });

    // When the engine emitted each streamed text (what the fake sent, as the engine received it).
    const emitted = new Map<string, number>();
    mode.engine.hub.subscribe((event, payload) => {
      if (event === 'preview.reply') {
        const { text } = payload as { text: string };
        if (!emitted.has(text)) emitted.set(text, nowEpoch());
      }
    });

    const { context, page } = await app.open(`/compare/${encodeURIComponent('Bench chat')}`, PROBES);
    await page.getByRole('region', { name: 'Right pane', exact: true }).waitFor();
    await startPanes(page);
    await page.evaluate(() => (window as unknown as { __watch(): void }).__watch());

    // 1 and 3: 20 turns in two panes.
    for (let turn = 1; turn <= TURNS; turn++) {
      // The runtime escalates a conversation that keeps returning to the same Procedure (a loop), so each pane starts afresh every few turns.
      if (turn > 1 && (turn - 1) % TURNS_PER_CONVERSATION === 0) {
        for (const label of ['Left pane', 'Right pane']) {
          const pane = page.getByRole('region', { name: label, exact: true });
          await pane.getByRole('button', { name: 'Reset' }).click();
          await pane.getByTestId('bubble-agent').first().waitFor({ state: 'detached' });
        }
      }
      await page.getByLabel('Customer message').fill(`Question ${turn}?`);
      await page.getByRole('button', { name: 'Send' }).click();
      for (const label of ['Left pane', 'Right pane']) {
        await page.getByRole('region', { name: label, exact: true }).getByTestId('bubble-agent').nth((turn - 1) % TURNS_PER_CONVERSATION).waitFor({ state: 'attached', timeout: 30_000 }).catch(async (error: Error) => {
          throw new Error(`Turn ${turn} in the ${label}: ${error.message}\n${await page.getByRole('region', { name: label, exact: true }).locator('.preview-transcript, .sw-banner').allTextContents()}`);
        });
      }
    }
    const shown = await page.evaluate(() => (window as unknown as { __shown: { text: string; at: number }[] }).__shown);
    const tokenSamples = shown.filter((entry) => emitted.has(entry.text)).map((entry) => entry.at - emitted.get(entry.text)!).sort((a, b) => a - b);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };

    // 2: a pane holding 2,000 trace events, then one more at a time.
    // The left pane's own session: restart it so its id is known, then push events into it.
    const started = new Promise<string>((resolve) => {
      const stop = mode.engine.hub.subscribe((event, payload) => {
        if (event === 'preview.trace') {
          stop();
          resolve((payload as { sessionId: string }).sessionId);
        }
      });
    });
    await page.getByRole('region', { name: 'Left pane', exact: true }).getByRole('button', { name: 'Restart' }).click();
    const sessionId = await started;
    const leftSummary = '[aria-label="Left pane"] .trace-summary';
    await page.waitForFunction((selector) => /^[\d,]+ events?/.test(document.querySelector(selector)?.textContent ?? ''), leftSummary);
    let count = Number((await page.locator(leftSummary).textContent())!.match(/^([\d,]+)/)![1]!.replace(/,/g, ''));
    const event = (index: number) => ({ index, type: 'tool_call', stepId: 'answer', payload: { tool: 'shop__get_order', ok: true, input: { order: index }, result: 'ok', durationMs: 3 } });
    for (; count < TRACE_BASE; count++) mode.engine.hub.emit('preview.trace', { sessionId, event: event(count) });
    await page.evaluate(([selector, n]) => (window as unknown as { __waitForCount(s: string, n: number): Promise<number> }).__waitForCount(selector as string, n as number), [leftSummary, TRACE_BASE] as const);
    const appendSamples: number[] = [];
    for (let i = 0; i < APPENDS; i++) {
      const waiting = page.evaluate(([selector, n]) => (window as unknown as { __waitForCount(s: string, n: number): Promise<number> }).__waitForCount(selector as string, n as number), [leftSummary, count + 1] as const);
      await page.waitForTimeout(20);
      const sent = nowEpoch();
      mode.engine.hub.emit('preview.trace', { sessionId, event: event(count) });
      count += 1;
      appendSamples.push((await waiting) - sent);
    }
    appendSamples.sort((a, b) => a - b);
    await context.close();

    const tokenP95 = percentile(tokenSamples, 95);
    const appendP95 = percentile(appendSamples, 95);
    console.log(`Preview (Chromium, production build; ${cpus().length} cores, load ${load.toFixed(2)} at start)`);
    console.log(`  streamed token → screen: p50 ${percentile(tokenSamples, 50).toFixed(1)} ms, p95 ${tokenP95.toFixed(1)} ms over ${tokenSamples.length} streamed pieces (budget p95 < ${TOKEN_P95_BUDGET_MS} ms)`);
    console.log(`  trace append at ${TRACE_BASE} events: p50 ${percentile(appendSamples, 50).toFixed(1)} ms, p95 ${appendP95.toFixed(1)} ms over ${APPENDS} appends (budget p95 < ${APPEND_P95_BUDGET_MS} ms)`);
    console.log(`  page JS heap after ${TURNS} turns in two panes: ${(heap.usedSize / 1024 / 1024).toFixed(1)} MB used of ${(heap.totalSize / 1024 / 1024).toFixed(1)} MB`);
    return tokenP95 < TOKEN_P95_BUDGET_MS && appendP95 < APPEND_P95_BUDGET_MS;
  } finally {
    await app.close();
    await fake.close();
  }
}
