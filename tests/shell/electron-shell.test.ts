// The Electron main process and preload against a stand-in `electron` module (Electron's binary is
// never run in tests): the window's security options, the custom protocol and its path check, the
// IPC bridge with its sender check, the guards on navigation, new windows and permissions, and the
// preload's allow-list.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelForEvent, channelForMethod, METHODS, SAVE_BUNDLE_CHANNEL } from '../../shared/api';
import { buildRenderer } from '../../scripts/build-renderer';
import { repoRoot } from '../support/paths';
import { captureIo } from '../support/capture-io';
import { runCli } from '../../main/cli/run';

type Handler = (...args: unknown[]) => unknown;

const stand = vi.hoisted(() => {
  const state = {
    userData: '',
    windows: [] as { options: Record<string, unknown>; url: string | null; shown: boolean; handlers: Map<string, () => void>; webContents: { send: (...args: unknown[]) => void; isDestroyed: () => boolean } }[],
    appEvents: new Map<string, (...args: unknown[]) => unknown>(),
    ipcHandlers: new Map<string, (...args: unknown[]) => unknown>(),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    permissionRequest: null as null | ((...args: unknown[]) => unknown),
    permissionCheck: null as null | ((...args: unknown[]) => unknown),
    opened: [] as string[],
    exposed: new Map<string, unknown>(),
    rendererInvokes: [] as unknown[][],
    rendererListeners: new Map<string, (...args: unknown[]) => unknown>(),
    sandboxEnabled: false,
    ready: null as null | (() => void),
    /** What the stand-in save dialog answers, and what it was asked. */
    saveAnswer: { canceled: true } as { canceled: boolean; filePath?: string },
    saveDialogs: [] as unknown[][],
  };
  class BrowserWindow {
    static getAllWindows = () => state.windows;
    static fromWebContents = (contents: unknown) => state.windows.find((window) => window.webContents === contents) ?? null;
    options: Record<string, unknown>;
    url: string | null = null;
    webContents = { send: (..._args: unknown[]) => {}, isDestroyed: () => false };
    handlers = new Map<string, () => void>();
    shown = false;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      state.windows.push(this);
    }
    once(event: string, handler: () => void) {
      this.handlers.set(event, handler);
    }
    show() {
      this.shown = true;
    }
    async loadURL(url: string) {
      this.url = url;
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      enableSandbox: () => {
        state.sandboxEnabled = true;
      },
      getPath: (name: string) => (name === 'userData' ? state.userData : '/nonexistent'),
      getAppPath: () => '',
      whenReady: () => new Promise<void>((resolve) => (state.ready = resolve)),
      on: (event: string, handler: (...args: unknown[]) => unknown) => state.appEvents.set(event, handler),
      quit: () => {},
      exit: (code: number) => {
        throw new Error(`app.exit(${code})`);
      },
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string, handler: (...args: unknown[]) => unknown) => state.ipcHandlers.set(channel, handler) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.schemes.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => state.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: (...args: unknown[]) => unknown) => (state.permissionRequest = handler),
        setPermissionCheckHandler: (handler: (...args: unknown[]) => unknown) => (state.permissionCheck = handler),
      },
    },
    safeStorage: { isEncryptionAvailable: () => true, encryptString: (text: string) => Buffer.from(`enc:${text}`), decryptString: (data: Buffer) => data.toString().slice(4) },
    shell: { openExternal: async (url: string) => void state.opened.push(url) },
    dialog: {
      showSaveDialog: async (...args: unknown[]) => {
        state.saveDialogs.push(args);
        return state.saveAnswer;
      },
    },
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => state.exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        state.rendererInvokes.push(args);
        return { ok: true, value: [] };
      },
      on: (channel: string, listener: (...args: unknown[]) => unknown) => state.rendererListeners.set(channel, listener),
      removeListener: (channel: string) => state.rendererListeners.delete(channel),
    },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...stand.electron, default: stand.electron }));

const { state } = stand;

beforeAll(async () => {
  await buildRenderer();
  state.userData = mkdtempSync(join(tmpdir(), 'stepwise-electron-'));
  stand.electron.app.getAppPath = () => repoRoot;
  await import('../../main/shell/electron-main');
  state.ready!();
  await vi.waitFor(() => expect(state.windows).toHaveLength(1), { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await state.appEvents.get('will-quit')?.();
  rmSync(state.userData, { recursive: true, force: true });
});

function webContentsStandIn() {
  const events = new Map<string, Handler>();
  let openHandler: Handler | null = null;
  return {
    events,
    open: (details: { url: string }) => openHandler!(details) as { action: string },
    on: (event: string, handler: Handler) => events.set(event, handler),
    setWindowOpenHandler: (handler: Handler) => (openHandler = handler),
  };
}

describe('the Electron main process', () => {
  it('opens one window, isolated, sandboxed, without Node, on the app protocol', () => {
    const [window] = state.windows;
    const prefs = window!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    expect(prefs.preload).toBe(join(repoRoot, 'dist', 'electron', 'preload.cjs'));
    expect(window!.url).toBe('stepwise://app/index.html');
    expect(state.sandboxEnabled).toBe(true);
    expect(state.schemes).toEqual([{ scheme: 'stepwise', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('creates the default workspace from the examples on first run', async () => {
    const handler = state.ipcHandlers.get(channelForMethod('procedures.list'))!;
    const result = (await handler({ senderFrame: { url: 'stepwise://app/index.html', parent: null } }, {})) as { ok: boolean; value: { name: string }[] };
    expect(result.ok).toBe(true);
    expect(result.value.map((procedure) => procedure.name)).toContain('Damaged order claim');
  });

  it('handles exactly the contract\'s calls, and only from the app\'s own top frame', async () => {
    expect([...state.ipcHandlers.keys()].sort()).toEqual([...METHODS.map(channelForMethod), SAVE_BUNDLE_CHANNEL].sort());
    const info = state.ipcHandlers.get(channelForMethod('app.info'))!;
    expect(await info({ senderFrame: { url: 'stepwise://app/index.html', parent: null } }, {})).toMatchObject({ ok: true, value: { mode: 'electron' } });
    for (const senderFrame of [{ url: 'https://evil.example/', parent: null }, { url: 'stepwise://app/index.html', parent: {} }, { url: 'file:///etc/passwd', parent: null }, null]) {
      expect(await info({ senderFrame }, {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    const bad = state.ipcHandlers.get(channelForMethod('procedures.get'))!;
    expect(await bad({ senderFrame: { url: 'stepwise://app/', parent: null } }, { name: 7 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('serves app files with the CSP, and nothing outside the renderer folder', async () => {
    const handler = state.protocolHandlers.get('stepwise')!;
    const index = await handler({ url: 'stepwise://app/index.html' });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(await index.text()).toContain('<div id="root">');
    for (const url of ['stepwise://app/../package.json', 'stepwise://app/%2e%2e/%2e%2e/package.json', 'stepwise://other/index.html', 'stepwise://app/..%2f..%2fpackage.json']) {
      expect((await handler({ url })).status).toBe(404);
    }
  });

  it('blocks navigation and new windows, opens web links in the system browser, and refuses permissions', () => {
    const contents = webContentsStandIn();
    state.appEvents.get('web-contents-created')!({}, contents);
    let prevented = false;
    contents.events.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'https://example.com/help');
    expect(prevented).toBe(true);
    expect(state.opened).toEqual(['https://example.com/help']);
    prevented = false;
    contents.events.get('will-navigate')!({ preventDefault: () => (prevented = true) }, 'stepwise://app/index.html#/settings');
    expect(prevented).toBe(false);
    expect(contents.open({ url: 'https://docs.example.com/' })).toEqual({ action: 'deny' });
    expect(contents.open({ url: 'stepwise://app/index.html' })).toEqual({ action: 'deny' });
    expect(contents.open({ url: 'stepwise://app/index.html#/settings' })).toEqual({ action: 'deny' });
    expect(contents.open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.open({ url: 'javascript:alert(1)//#/preview/X' })).toEqual({ action: 'deny' });
    expect(state.opened).toEqual(['https://example.com/help', 'https://docs.example.com/']);
    expect(state.windows).toHaveLength(1);
    let webview = false;
    contents.events.get('will-attach-webview')!({ preventDefault: () => (webview = true) });
    expect(webview).toBe(true);

    let granted: boolean | null = null;
    state.permissionRequest!({}, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    expect(state.permissionCheck!({}, 'notifications')).toBe(false);
  });

  it('opens each preview route in a window of its own, with the main window\'s secure options', async () => {
    const contents = webContentsStandIn();
    state.appEvents.get('web-contents-created')!({}, contents);
    // Chromium never makes the window (deny): the main process builds it, so nothing of the page's choosing reaches it.
    expect(contents.open({ url: 'stepwise://app/index.html#/compare/Damaged%20order%20claim' })).toEqual({ action: 'deny' });
    expect(contents.open({ url: 'stepwise://app/index.html#/preview/Damaged%20order%20claim' })).toEqual({ action: 'deny' });
    expect(state.windows).toHaveLength(3);
    const [main, compare, single] = state.windows;
    expect(compare!.url).toBe('stepwise://app/index.html#/compare/Damaged%20order%20claim');
    expect(single!.url).toBe('stepwise://app/index.html#/preview/Damaged%20order%20claim');
    for (const window of [compare!, single!]) {
      expect(window.options.webPreferences).toEqual(main!.options.webPreferences);
      expect(window.options.webPreferences).toMatchObject({ preload: join(repoRoot, 'dist', 'electron', 'preload.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(window.options.show).toBe(false);
    }
    compare!.handlers.get('ready-to-show')!();
    expect([compare!.shown, single!.shown]).toEqual([true, false]);
    // The windows' pages are the app's own top frames: the engine answers them.
    const info = state.ipcHandlers.get(channelForMethod('app.info'))!;
    expect(await info({ senderFrame: { url: single!.url, parent: null } }, {})).toMatchObject({ ok: true, value: { mode: 'electron' } });
    // A look-alike opens nothing.
    expect(contents.open({ url: 'stepwise://app.evil.example/index.html#/preview/X' })).toEqual({ action: 'deny' });
    expect(state.windows).toHaveLength(3);
    // Each window's page starts a preview of its own: the engine gives each its own session and conversation.
    const call = async (method: string, input: unknown, url: string) => {
      const result = (await state.ipcHandlers.get(channelForMethod(method as (typeof METHODS)[number]))!({ senderFrame: { url, parent: null } }, input)) as { ok: boolean; value: Record<string, unknown>; error?: unknown };
      expect(result.ok, JSON.stringify(result.error)).toBe(true);
      return result.value;
    };
    await call('settings.save', { provider: 'anthropic', baseURL: 'http://127.0.0.1:9', models: { agent: 'a', customer: 'c', judge: 'j', author: 'a' }, apiKey: 'sk-never-called' }, main!.url!);
    await call('procedures.create', { name: 'Window chat' }, main!.url!);
    const created = await call('procedures.get', { name: 'Window chat' }, main!.url!);
    await call('procedures.saveDraft', { name: 'Window chat', text: '---\nname: Window chat\ntrigger: The customer says hello.\n---\n\n## Greet\nGreet the customer.\n', expectedHash: created.draftHash }, main!.url!);
    const sessions = [];
    for (const window of [compare!, single!]) sessions.push(await call('preview.start', { target: { kind: 'draft', name: 'Window chat' } }, window.url!));
    expect(new Set(sessions.map((session) => session.sessionId)).size).toBe(2);
    expect(new Set(sessions.map((session) => session.conversationId)).size).toBe(2);
    for (const session of sessions) await call('preview.close', { sessionId: session.sessionId }, main!.url!);

    // Closing them frees their places; the stand-in's list goes back to the main window for the tests after.
    for (const window of [compare!, single!]) window.handlers.get('closed')!();
    state.windows.splice(1);
  });

  it('saves a bundle the engine signed where the save dialog says, as a sheet of the asking window', async () => {
    const handler = state.ipcHandlers.get(SAVE_BUNDLE_CHANNEL)!;
    const [main] = state.windows;
    const sender = { senderFrame: { url: 'stepwise://app/index.html#/bundles', parent: null }, sender: main!.webContents };
    const folder = mkdtempSync(join(tmpdir(), 'stepwise-bundle-save-'));
    try {
      const path = join(folder, 'shop.json');
      state.saveAnswer = { canceled: false, filePath: path };
      const saved = (await handler(sender, { procedures: ['Damaged order claim'], source: 'draft' })) as { ok: boolean; value: { saved: boolean; path: string; fingerprint: string; fileName: string } };
      expect(saved).toMatchObject({ ok: true, value: { saved: true, path } });
      // The dialog belonged to the window that asked, and offered the bundle's own name in Documents.
      const [owner, options] = state.saveDialogs.at(-1)! as [unknown, { defaultPath: string; filters: unknown[] }];
      expect(owner).toBe(main);
      expect(options.defaultPath).toBe(join('/nonexistent', saved.value.fileName));
      // The file is a bundle the command line verifies, signed by this workspace's key.
      const io = captureIo(folder);
      expect(await runCli(['verify', path], io), io.stderr()).toBe(0);
      expect(io.stdout()).toContain(saved.value.fingerprint);
      // Cancelled: nothing more is written.
      state.saveAnswer = { canceled: true };
      expect(await handler(sender, { procedures: ['Damaged order claim'], source: 'draft' })).toEqual({ ok: true, value: { saved: false } });
      expect(readdirSync(folder)).toEqual(['shop.json']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('sends engine events to the app\'s windows', async () => {
    const sent: unknown[][] = [];
    state.windows[0]!.webContents.send = (...args: unknown[]) => sent.push(args);
    const handler = state.ipcHandlers.get(channelForMethod('procedures.create'))!;
    await handler({ senderFrame: { url: 'stepwise://app/', parent: null } }, { name: 'From Electron' });
    expect(sent).toContainEqual([channelForEvent('procedures.changed'), { names: ['From Electron'], reason: 'created' }]);
  });
});

describe('the preload', () => {
  it('exposes only invoke and on, for the contract\'s calls and events', async () => {
    await import('../../preload/preload');
    expect([...state.exposed.keys()]).toEqual(['stepwise']);
    const bridge = state.exposed.get('stepwise') as { invoke: Handler; on: Handler; saveBundle?: Handler };
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'saveBundle']);

    await bridge.invoke('procedures.list', {});
    expect(state.rendererInvokes).toEqual([['stepwise:call:procedures.list', {}]]);
    expect(await bridge.invoke('fs.readFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await bridge.invoke('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(state.rendererInvokes).toHaveLength(1);

    const received: unknown[] = [];
    const stop = bridge.on('procedures.changed', (payload: unknown) => received.push(payload)) as () => void;
    state.rendererListeners.get('stepwise:event:procedures.changed')!({ sender: 'ignored' }, { names: ['x'], reason: 'saved' });
    expect(received).toEqual([{ names: ['x'], reason: 'saved' }]);
    stop();
    expect(state.rendererListeners.has('stepwise:event:procedures.changed')).toBe(false);
    expect(() => bridge.on('ipc-internal', () => {})).toThrow('There is no event named "ipc-internal"');

    // saveBundle: its one channel, with the choice checked here first; never bytes or a path.
    state.rendererInvokes.length = 0;
    await bridge.saveBundle!({ procedures: ['Parcel check'], source: 'live' });
    expect(state.rendererInvokes).toEqual([[SAVE_BUNDLE_CHANNEL, { procedures: ['Parcel check'], source: 'live', includeKnowledge: false }]]);
    for (const bad of [{ procedures: ['A'], source: 'live', path: '/etc/passwd' }, { procedures: ['A'], source: 'live', text: '{}' }, { procedures: [], source: 'live' }]) {
      expect(await bridge.saveBundle!(bad)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    }
    expect(state.rendererInvokes).toHaveLength(1);
  });
});

describe('launch arguments', () => {
  it('come after -- in development, and are all the arguments when packaged', async () => {
    const { launchArguments } = await import('../../main/shell/electron-main');
    expect(launchArguments(['/electron', '.', '--', '--workspace', 'a.stepwise'], false)).toEqual(['--workspace', 'a.stepwise']);
    expect(launchArguments(['/electron', '.'], false)).toEqual([]);
    expect(launchArguments(['/Applications/Stepwise', '--port', '3'], true)).toEqual(['--port', '3']);
  });
});
