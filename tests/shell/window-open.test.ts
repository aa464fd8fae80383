// What window.open may do in Electron (main/shell/window-open.ts): exactly the app's preview routes
// open a window of their own, web links go to the system browser, and every other URL, including
// other app routes, script and data URLs, files and look-alike origins, is refused. Then the
// opener of preview windows (main/shell/preview-windows.ts) with a stand-in for BrowserWindow.
import { describe, expect, it } from 'vitest';
import { MAX_PREVIEW_WINDOWS, previewWindowOpener, type PreviewWindow } from '../../main/shell/preview-windows';
import { decideWindowOpen, previewWindowUrl } from '../../main/shell/window-open';
import { mainWindowOptions } from '../../main/shell/window-options';

describe('the preview URLs a page may open', () => {
  it('are the preview and compare routes of the app, rebuilt from their checked parts', () => {
    expect(previewWindowUrl('stepwise://app/index.html#/preview/Parcel%20check')).toBe('stepwise://app/index.html#/preview/Parcel%20check');
    expect(previewWindowUrl('stepwise://app/index.html#/compare/Damaged%20order%20claim')).toBe('stepwise://app/index.html#/compare/Damaged%20order%20claim');
    // What the renderer builds (its route's encoding) comes back unchanged; an equivalent spelling comes back canonical.
    const name = 'Refund: über 100 € & "more"';
    expect(previewWindowUrl(`stepwise://app/index.html#/preview/${encodeURIComponent(name)}`)).toBe(`stepwise://app/index.html#/preview/${encodeURIComponent(name)}`);
    expect(previewWindowUrl('stepwise://app/./index.html?#/preview/A%2fB')).toBe('stepwise://app/index.html#/preview/A%2FB');
    expect(decideWindowOpen('stepwise://app/index.html#/compare/X')).toEqual({ action: 'preview', url: 'stepwise://app/index.html#/compare/X' });
  });

  it('refuses every other URL, adversarial ones included', () => {
    const refused = [
      // Other routes and pages of the app.
      'stepwise://app/index.html',
      'stepwise://app/index.html#/',
      'stepwise://app/index.html#/settings',
      'stepwise://app/index.html#/procedures/Parcel%20check',
      'stepwise://app/index.html#/bundles',
      'stepwise://app/other.html#/preview/X',
      'stepwise://app/#/preview/X',
      'stepwise://app/assets/index.js#/preview/X',
      // Malformed preview routes.
      'stepwise://app/index.html#/preview/',
      'stepwise://app/index.html#/preview',
      'stepwise://app/index.html#/preview/a/b',
      'stepwise://app/index.html#/preview/a/../../settings',
      'stepwise://app/index.html#/preview/X?token=abc',
      'stepwise://app/index.html#/preview/X#again',
      'stepwise://app/index.html#/PREVIEW/X',
      'stepwise://app/index.html#//preview/X',
      'stepwise://app/index.html#/previews/X',
      'stepwise://app/index.html#/preview/%E0%A4%A',
      'stepwise://app/index.html#/preview/%20',
      'stepwise://app/index.html#/preview/%20padded%20',
      `stepwise://app/index.html#/preview/${'x'.repeat(201)}`,
      'stepwise://app/index.html?x=1#/preview/X',
      // Look-alike origins.
      'stepwise://app.evil.example/index.html#/preview/X',
      'stepwise://app./index.html#/preview/X',
      'stepwise://APP/index.html#/preview/X',
      'stepwise://evil@app/index.html#/preview/X',
      'stepwise://app:evil@evil.example/index.html#/preview/X',
      'stepwise://app:8080/index.html#/preview/X',
      'stepwise://evil.example/index.html#/preview/X',
      'stepwise-app://app/index.html#/preview/X',
      'stepwisex://app/index.html#/preview/X',
      // Script, data, files, blobs and nothing at all.
      'javascript:alert(1)//#/preview/X',
      'JaVaScRiPt:alert(document.domain)',
      'data:text/html,<script>alert(1)</script>#/preview/X',
      'file:///index.html#/preview/X',
      'file:///etc/passwd',
      'blob:stepwise://app/0b1c#/preview/X',
      'about:blank#/preview/X',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      '',
      '#/preview/X',
      '/index.html#/preview/X',
    ];
    for (const url of refused) {
      expect(previewWindowUrl(url), url).toBeNull();
      expect(decideWindowOpen(url), url).toEqual({ action: 'refuse' });
    }
  });

  it('sends web and mail links to the system browser, and nothing else', () => {
    // A preview route on a web origin is a web page, never the app's own window.
    for (const url of ['https://docs.example.com/', 'https://app/index.html#/preview/X', 'http://127.0.0.1:5173/#/preview/X', 'mailto:support@example.com']) expect(decideWindowOpen(url)).toEqual({ action: 'external', url });
    for (const url of ['ftp://example.com/', 'ws://example.com/', 'smb://host/share', 'ms-settings:', 'vbscript:msgbox']) expect(decideWindowOpen(url), url).toEqual({ action: 'refuse' });
  });
});

describe('the preview window opener', () => {
  function standIn() {
    const windows: { options: Record<string, unknown>; url: string | null; shown: boolean; handlers: Map<string, () => void> }[] = [];
    const warnings: string[] = [];
    const open = previewWindowOpener({
      preloadPath: '/app/dist/electron/preload.cjs',
      warn: (message) => warnings.push(message),
      create: (options) => {
        const window = { options: options as Record<string, unknown>, url: null as string | null, shown: false, handlers: new Map<string, () => void>() };
        windows.push(window);
        const handle = {
          once: (event: string, handler: () => void) => window.handlers.set(event, handler),
          show: () => void (window.shown = true),
          loadURL: async (url: string) => void (window.url = url),
        };
        return handle as unknown as PreviewWindow;
      },
    });
    return { windows, warnings, open };
  }

  it('opens a window per preview, with the main window\'s webPreferences, shown once ready', () => {
    const { windows, open } = standIn();
    expect(open('stepwise://app/index.html#/preview/A')).toBe(true);
    expect(open('stepwise://app/index.html#/compare/A')).toBe(true);
    expect(windows.map((window) => window.url)).toEqual(['stepwise://app/index.html#/preview/A', 'stepwise://app/index.html#/compare/A']);
    for (const window of windows) expect(window.options.webPreferences).toEqual(mainWindowOptions('/app/dist/electron/preload.cjs').webPreferences);
    expect(windows[0]!.options.show).toBe(false);
    expect(windows[1]!.options.width as number).toBeGreaterThan(windows[0]!.options.width as number);
    windows[0]!.handlers.get('ready-to-show')!();
    expect(windows.map((window) => window.shown)).toEqual([true, false]);
  });

  it('re-checks the URL, and refuses past the limit of open windows until one closes', () => {
    const { windows, warnings, open } = standIn();
    expect(open('stepwise://app/index.html#/settings')).toBe(false);
    expect(windows).toHaveLength(0);
    expect(warnings).toEqual(['Refused to open a preview window: not a preview URL of the app.']);
    for (let i = 0; i < MAX_PREVIEW_WINDOWS; i++) expect(open(`stepwise://app/index.html#/preview/P${i}`)).toBe(true);
    expect(open('stepwise://app/index.html#/preview/One%20more')).toBe(false);
    expect(warnings.at(-1)).toBe(`Refused to open a preview window: ${MAX_PREVIEW_WINDOWS} are open already.`);
    windows[3]!.handlers.get('closed')!();
    expect(open('stepwise://app/index.html#/preview/One%20more')).toBe(true);
    expect(windows.at(-1)!.url).toBe('stepwise://app/index.html#/preview/One%20more');
  });
});
