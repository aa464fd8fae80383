// The page-side probes that time knowledge search in the app, from a keystroke in the knowledge
// screen's search box to the results answering that text on screen (bench/knowledge.bench.ts and
// the knowledge e2e test both use them). Installed with page.addInitScript before the app loads.
import { percentile } from '../stats';

export interface SearchSample {
  text: string;
  total: number;
  page: number;
  request: number;
  render: number;
}

/** Page-side probes: each keystroke's time by the text it made, each search request's times, and when the list answering a text is on screen. */
export const SEARCH_PROBES = `
  window.__ks = { lastKey: 0, typed: new Map(), requests: new Map(), samples: [] };
  document.addEventListener('keydown', (event) => { window.__ks.lastKey = event.timeStamp; }, true);
  document.addEventListener('input', (event) => {
    if (event.target.matches && event.target.matches('input[aria-label="Search the knowledge hub"]')) window.__ks.typed.set(event.target.value, window.__ks.lastKey);
  }, true);
  const fetchNow = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    if (!String(input).includes('knowledge.search')) return fetchNow(input, init);
    const record = { sent: performance.now(), read: 0 };
    window.__ks.requests.set(JSON.parse(init.body).text, record);
    const response = await fetchNow(input, init);
    const json = response.json.bind(response);
    response.json = async () => { const value = await json(); record.read = performance.now(); return value; };
    return response;
  };
  // After the frame that paints the change: a task posted from requestAnimationFrame runs once it is drawn.
  const afterPaint = (done) => requestAnimationFrame(() => { const channel = new MessageChannel(); channel.port1.onmessage = () => done(performance.now()); channel.port2.postMessage(null); });
  new MutationObserver(() => {
    const list = document.querySelector('ul[aria-label="Search results"]');
    const text = list ? list.getAttribute('data-query') : null;
    if (text === null || !window.__ks.typed.has(text)) return;
    const key = window.__ks.typed.get(text);
    window.__ks.typed.delete(text);
    const request = window.__ks.requests.get(text);
    afterPaint((shown) => window.__ks.samples.push({ text, total: shown - key, page: request ? request.sent - key : NaN, request: request ? request.read - request.sent : NaN, render: request ? shown - request.read : NaN }));
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-query'] });
`;


/** "median … ms, p95 … ms" of the finite values. */
export function searchSummary(values: number[]): string {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`;
}
