// The Electron main process: opens the workspace, starts the engine, serves the app from
// stepwise://app/ into hardened windows (the main one, and one per opened preview), and bridges the
// API over IPC. Built by scripts/build-electron.ts into dist/electron/main.mjs.
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell, type SaveDialogOptions, type WebContents } from 'electron';
import { basename, join } from 'node:path';
import { startEngine, type Engine } from '../app/engine';
import { appPaths } from '../app/home';
import { NPM_START, parseLaunchArgs } from '../app/launch-args';
import { LaunchError, openAppWorkspace } from '../app/open-workspace';
import { createPythonSandbox } from '../sandbox';
import { APP_ENTRY, handleAppProtocol, registerAppScheme } from './app-protocol';
import { forwardEvents, registerIpc } from './ipc';
import { previewWindowOpener } from './preview-windows';
import { SafeStorageSecretStore } from './safe-storage-secret-store';
import { registerSaveBundle } from './save-bundle';
import { hardenSession, hardenWebContents } from './security';
import { mainWindowOptions } from './window-options';

// The app's folder (where package.json is), in development and when packaged alike.
const RENDERER_ROOT = join(app.getAppPath(), 'dist', 'renderer');
const PRELOAD = join(app.getAppPath(), 'dist', 'electron', 'preload.cjs');

registerAppScheme(protocol);
app.enableSandbox();

let engine: Engine | null = null;

async function start() {
  const args = parseLaunchArgs(launchArguments(process.argv, app.isPackaged), { command: app.isPackaged ? basename(process.execPath) : NPM_START });
  const paths = appPaths(app.getPath('userData'));
  const { workspace } = openAppWorkspace({ ...(args.workspace ? { workspace: args.workspace } : {}), defaultWorkspace: paths.defaultWorkspace });
  engine = startEngine({
    workspace,
    mode: 'electron',
    settings: {
      secrets: new SafeStorageSecretStore(safeStorage, join(paths.home, 'secrets.safe-storage.json')),
      secretStoreLabel: 'OS keychain (Electron safeStorage)',
    },
    // Interpreters run in Electron's own Node. One at rest; a second only while work waits (a preview
    // beside a simulation suite), released when idle (docs/python-sandbox.md).
    startSandbox: async () => createPythonSandbox({ poolSize: 2, nodeExecutable: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } }),
  });
  hardenSession(session.defaultSession);
  handleAppProtocol(protocol, RENDERER_ROOT);
  registerIpc(ipcMain, engine.dispatch);
  const dispatch = engine.dispatch;
  registerSaveBundle(ipcMain, (event) => ({ exportBundle: (input) => dispatch('bundles.export', input), showSaveDialog: (name) => saveDialog(event.sender, name) }));
  forwardEvents(engine.hub, () => BrowserWindow.getAllWindows().map((window) => window.webContents));
  const openPreviewWindow = previewWindowOpener({ preloadPath: PRELOAD, create: (options) => new BrowserWindow(options) });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { openExternal: (url) => shell.openExternal(url), openPreviewWindow }));

  const window = new BrowserWindow(mainWindowOptions(PRELOAD));
  window.once('ready-to-show', () => window.show());
  await window.loadURL(APP_ENTRY);
}

app.whenReady().then(start, fail).catch(fail);
app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => void engine?.close());

/** The system's save dialog for a bundle, as a sheet of the window that asked. */
function saveDialog(sender: WebContents, fileName: string) {
  const options: SaveDialogOptions = {
    title: 'Save bundle',
    defaultPath: join(app.getPath('documents'), fileName),
    filters: [{ name: 'Stepwise bundle', extensions: ['json'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const owner = BrowserWindow.fromWebContents(sender);
  return owner ? dialog.showSaveDialog(owner, options) : dialog.showSaveDialog(options);
}

/** In development, the arguments after `--` (`electron . -- --workspace shop.stepwise`); packaged, all of them. */
export function launchArguments(argv: string[], packaged: boolean): string[] {
  const separator = argv.indexOf('--');
  if (separator >= 0) return argv.slice(separator + 1);
  return packaged ? argv.slice(1) : [];
}

function fail(error: unknown) {
  console.error(error instanceof LaunchError ? error.message : `Stepwise could not start: ${error instanceof Error ? error.message : String(error)}`);
  app.exit(1);
}
