// What a page's window.open may do: a preview route of the app opens in a window of its own, a web
// link goes to the system browser, and everything else is refused. Pure, so every URL a page (or a
// script that got into one) could pass is decided here and tested.
import { ProcedureNameSchema } from '../../shared/api/schemas';
import { APP_ENTRY, APP_ORIGIN } from './app-protocol';

export type WindowOpenDecision = { action: 'preview'; url: string } | { action: 'external'; url: string } | { action: 'refuse' };

/** The renderer's preview routes (renderer/src/app/route.ts): `#/preview/<name>` and `#/compare/<name>`. */
const PREVIEW_HASH = /^#\/(preview|compare)\/([^/?#]+)$/;

/**
 * The app URL to load in a preview window, rebuilt from its parts (so what loads is what was
 * checked), or null when `url` is not exactly `stepwise://app/index.html#/preview|compare/<name>`.
 */
export function previewWindowUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  // origin is "null" for the custom scheme in Node: compare the parts instead.
  if (`${parsed.protocol}//${parsed.host}` !== APP_ORIGIN || parsed.username || parsed.password || parsed.port) return null;
  if (parsed.pathname !== '/index.html' || parsed.search) return null;
  const route = PREVIEW_HASH.exec(parsed.hash);
  if (!route) return null;
  let name: string;
  try {
    name = decodeURIComponent(route[2]!);
  } catch {
    return null;
  }
  const checked = ProcedureNameSchema.safeParse(name);
  if (!checked.success || checked.data !== name) return null;
  return `${APP_ENTRY}#/${route[1]}/${encodeURIComponent(name)}`;
}

/** A link for the system browser: the web and mail, nothing else. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' || protocol === 'mailto:';
  } catch {
    return false;
  }
}

export function decideWindowOpen(url: string): WindowOpenDecision {
  const preview = previewWindowUrl(url);
  if (preview) return { action: 'preview', url: preview };
  if (isExternalLink(url)) return { action: 'external', url };
  return { action: 'refuse' };
}
