// The workspace setting that re-runs a Procedure's saved simulations whenever its draft is saved.
// Saves in quick succession are debounced into one suite; a save while a suite of the same
// Procedure is running cancels that suite (it ran on a draft that is no longer current).
//
//   const rerun = new AutoRerun({ services, model: () => client, onReport });
//   rerun.attach(hub);    // listens for procedures.changed with reason "saved"
import { z } from 'zod';
import type { ModelCaller } from '../model/client';
import type { SimulationServices } from './runner';
import { runSuite, type SuiteProgress, type SuiteReport } from './suite';

export const AUTO_RERUN_KEY = 'simulations.autoRerun';

export const autoRerunSettingsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Runs at a time. */
  concurrency: z.number().int().min(1).max(32).default(2),
  /** Tries of each simulation. */
  repeat: z.number().int().min(1).max(10).default(1),
});
export type AutoRerunSettings = z.infer<typeof autoRerunSettingsSchema>;

export interface AutoRerunOptions {
  services: SimulationServices;
  /** The model client to use, made when a suite starts (settings may have changed). */
  model: () => ModelCaller | Promise<ModelCaller>;
  /** Wait after a save before running, so a burst of saves runs once (default 1000 ms). */
  debounceMs?: number;
  onReport?: (procedure: string, report: SuiteReport) => void;
  onProgress?: (procedure: string, event: SuiteProgress) => void;
  onError?: (procedure: string, error: Error) => void;
}

/** The part of the API's EventHub this needs. */
export interface ChangeEvents {
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

const savedEvent = z.object({ names: z.array(z.string()), reason: z.string() });

export class AutoRerun {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; resolve: (report: SuiteReport | null) => void }>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  constructor(private readonly options: AutoRerunOptions) {}

  settings(): AutoRerunSettings {
    return this.options.services.workspace.settings.get(AUTO_RERUN_KEY, autoRerunSettingsSchema, {});
  }

  /** Schedules a re-run of the Procedure's simulations; resolves with its report, or null if it did not run (off, none saved, or superseded). */
  draftSaved(procedure: string): Promise<SuiteReport | null> {
    const settings = this.settings();
    if (!settings.enabled) return Promise.resolve(null);
    const earlier = this.pending.get(procedure);
    if (earlier) {
      clearTimeout(earlier.timer);
      earlier.resolve(null);
    }
    this.running.get(procedure)?.controller.abort();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(procedure);
        this.start(procedure, settings).then(resolve, (error: unknown) => {
          this.options.onError?.(procedure, error instanceof Error ? error : new Error(String(error)));
          resolve(null);
        });
      }, this.options.debounceMs ?? 1000);
      this.pending.set(procedure, { timer, resolve });
    });
  }

  /** Re-runs on every "saved" change the hub reports. Returns the unsubscribe function. */
  attach(events: ChangeEvents): () => void {
    return events.subscribe((event, payload) => {
      if (event !== 'procedures.changed') return;
      const parsed = savedEvent.safeParse(payload);
      if (!parsed.success || parsed.data.reason !== 'saved') return;
      for (const name of parsed.data.names) void this.draftSaved(name);
    });
  }

  /** Waits for the suites that are running now. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((entry) => entry.done.catch(() => undefined)));
  }

  /** Cancels what is scheduled and running. */
  async close(): Promise<void> {
    for (const [procedure, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(null);
      this.pending.delete(procedure);
    }
    for (const entry of this.running.values()) entry.controller.abort();
    await this.idle();
  }

  private async start(procedure: string, settings: AutoRerunSettings): Promise<SuiteReport | null> {
    const { workspace } = this.options.services;
    if (!workspace.procedures.get(procedure)) return null;
    const simulations = workspace.simulations.list(procedure);
    if (simulations.length === 0) return null;
    const controller = new AbortController();
    const model = await this.options.model();
    const done = runSuite(this.options.services, simulations, {
      model,
      repeat: settings.repeat,
      concurrency: settings.concurrency,
      draft: true,
      signal: controller.signal,
      trigger: 'draft saved',
      onProgress: (event) => this.options.onProgress?.(procedure, event),
    });
    this.running.set(procedure, { controller, done });
    try {
      const report = await done;
      this.options.onReport?.(procedure, report);
      return report;
    } finally {
      if (this.running.get(procedure)?.done === done) this.running.delete(procedure);
    }
  }
}
