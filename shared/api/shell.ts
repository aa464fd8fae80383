// Calls to the Electron shell itself rather than the engine, each on a narrow IPC channel of its
// own (the engine's contract, contract.ts, stays the same in both modes). Browser mode has none of
// them: the renderer falls back to what a browser does (a download).
import { z } from 'zod';
import { BundleExportInputSchema } from './bundles';

/** Saves a bundle where the person chooses in the system's save dialog. */
export const SAVE_BUNDLE_CHANNEL = 'stepwise:shell:saveBundle';

/**
 * What to export: the main process builds the signed bundle itself from this, and writes it to
 * the path the dialog returns. The renderer sends neither the bytes nor a path.
 */
export const SaveBundleInputSchema = BundleExportInputSchema;
export type SaveBundleInput = z.input<typeof SaveBundleInputSchema>;

export const SaveBundleResultSchema = z.discriminatedUnion('saved', [
  z.strictObject({ saved: z.literal(true), path: z.string(), fileName: z.string(), fingerprint: z.string() }),
  /** The dialog was cancelled: nothing was written. */
  z.strictObject({ saved: z.literal(false) }),
]);
export type SaveBundleResult = z.infer<typeof SaveBundleResultSchema>;
