// "Save bundle" in Electron: the main process builds the signed bundle itself (the engine's
// bundles.export, from the renderer's choice of Procedures), asks where to save it with the
// system's save dialog, and writes it there whole (a temporary file beside it, then a rename), so
// a failed write leaves no half file. The renderer never sends the bytes or a path; a cancelled
// dialog writes nothing.
import { isAbsolute } from 'node:path';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { BundleExportSchema, SAVE_BUNDLE_CHANNEL, SaveBundleInputSchema, type ApiResult, type SaveBundleResult } from '../../shared/api';
import { describeZodError } from '../../shared/zod-error';
import { writeFileAtomic } from '../files/atomic-write';
import { isTrustedSender } from './ipc';

export interface SaveBundleDeps {
  /** The engine's bundles.export (its dispatcher checks the input and the output). */
  exportBundle(input: unknown): Promise<ApiResult<unknown>>;
  /** dialog.showSaveDialog, owned by the asking window. */
  showSaveDialog(defaultName: string): Promise<{ canceled: boolean; filePath?: string | undefined }>;
  /** Writes the whole file or nothing (main/files/atomic-write.ts unless a test says otherwise). */
  write?(path: string, text: string): void;
}

export async function saveBundle(deps: SaveBundleDeps, input: unknown): Promise<ApiResult<SaveBundleResult>> {
  const parsed = SaveBundleInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: { code: 'invalid-input', message: describeZodError(parsed.error) } };
  const made = await deps.exportBundle(parsed.data);
  if (!made.ok) return made;
  const bundle = BundleExportSchema.parse(made.value);
  const choice = await deps.showSaveDialog(bundle.fileName);
  if (choice.canceled || !choice.filePath) return { ok: true, value: { saved: false } };
  const path = choice.filePath;
  if (!isAbsolute(path)) return { ok: false, error: { code: 'invalid-input', message: `The save dialog gave a path that is not absolute: ${path}` } };
  try {
    (deps.write ?? writeFileAtomic)(path, bundle.text);
  } catch (error) {
    return { ok: false, error: { code: 'unavailable', message: `Could not save the bundle to ${path}: ${reason(error)}. Nothing was written.` } };
  }
  return { ok: true, value: { saved: true, path, fileName: bundle.fileName, fingerprint: bundle.fingerprint } };
}

/** The channel's handler: only the app's own top frames may ask; anything else is refused before a dialog opens. */
export function registerSaveBundle(
  ipcMain: Pick<IpcMain, 'handle'>,
  deps: (event: IpcMainInvokeEvent) => SaveBundleDeps,
  trusted: (event: IpcMainInvokeEvent) => boolean = isTrustedSender,
): void {
  ipcMain.handle(SAVE_BUNDLE_CHANNEL, (event, input: unknown): Promise<ApiResult<SaveBundleResult>> => {
    if (!trusted(event)) return Promise.resolve({ ok: false, error: { code: 'unauthorized', message: 'Only the app\'s own window may save a bundle.' } });
    return saveBundle(deps(event), input);
  });
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'the folder does not exist',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the disk is read-only',
    ENOSPC: 'the disk is full',
    EISDIR: 'a folder has that name',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
