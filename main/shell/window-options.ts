// The options of the app's windows: the renderer is isolated from Node and from the preload, runs in
// Chromium's sandbox, and can load nothing but the app's own pages. The main window and every
// preview window share the same webPreferences (one definition, so they cannot drift apart).
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Stepwise',
    backgroundColor: '#f6f7f9',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** A preview window ("Open preview window"): the main window's options, at a chat's size. */
export function previewWindowOptions(preloadPath: string, compare: boolean): BrowserWindowConstructorOptions {
  return {
    ...mainWindowOptions(preloadPath),
    width: compare ? 1280 : 720,
    height: 860,
    minWidth: 480,
    minHeight: 480,
    title: 'Stepwise preview',
  };
}
