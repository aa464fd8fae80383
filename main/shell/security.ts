// Guards on every web page of the app: no navigation away from the app, no new windows but the
// preview's own (window-open.ts; links to the web open in the system browser), no <webview>, and
// every permission request refused.
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-protocol';
import { decideWindowOpen, isExternalLink } from './window-open';

export interface SecurityDeps {
  /** shell.openExternal */
  openExternal(url: string): Promise<void> | void;
  /** Opens a checked preview URL in a new window of the app (preview-windows.ts). */
  openPreviewWindow(url: string): void;
}

export function hardenWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, deps: SecurityDeps): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isExternalLink(url)) void deps.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Chromium never creates the window itself: a preview window is made by the main process with
  // the main window's options (so no opener, no inherited or page-chosen features).
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.action === 'preview') deps.openPreviewWindow(decision.url);
    if (decision.action === 'external') void deps.openExternal(decision.url);
    return { action: 'deny' };
  });
}

export function hardenSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
