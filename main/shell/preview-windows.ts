// "Open preview window" in Electron: each checked preview URL gets a new window of its own, built
// with the main window's secure options (the same preload, session and CSP; the app's guards reach
// it through `web-contents-created`). Each window's page starts its own preview conversation.
// A page cannot open windows without end: past MAX_PREVIEW_WINDOWS open ones, it is refused.
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { previewWindowOptions } from './window-options';
import { previewWindowUrl } from './window-open';

export const MAX_PREVIEW_WINDOWS = 8;

export type PreviewWindow = Pick<BrowserWindow, 'once' | 'show' | 'loadURL'>;

export interface PreviewWindowDeps {
  preloadPath: string;
  create(options: BrowserWindowConstructorOptions): PreviewWindow;
  warn?(message: string): void;
}

/** Returns `open(url)`: opens a preview window for a checked preview URL, or refuses (false). */
export function previewWindowOpener(deps: PreviewWindowDeps): (url: string) => boolean {
  const open = new Set<PreviewWindow>();
  const warn = deps.warn ?? ((message: string) => console.warn(message));
  return (url) => {
    const checked = previewWindowUrl(url);
    if (!checked) {
      warn('Refused to open a preview window: not a preview URL of the app.');
      return false;
    }
    if (open.size >= MAX_PREVIEW_WINDOWS) {
      warn(`Refused to open a preview window: ${MAX_PREVIEW_WINDOWS} are open already.`);
      return false;
    }
    const window = deps.create(previewWindowOptions(deps.preloadPath, checked.includes('#/compare/')));
    open.add(window);
    window.once('closed', () => open.delete(window));
    window.once('ready-to-show', () => window.show());
    void window.loadURL(checked).catch((error: unknown) => warn(`The preview window could not load: ${error instanceof Error ? error.message : String(error)}`));
    return true;
  };
}
