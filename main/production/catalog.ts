// The Procedures a server routes between: the current bundle set's (new conversations start on
// these), and every version any set loaded since the server started, keyed by content hash, so a
// conversation in progress finishes on the version it started with after a reload.
import type { CompiledProcedure } from '../runtime/compiled-procedure';
import type { ProcedureCatalog } from '../runtime/types';

export class BundleCatalog implements ProcedureCatalog {
  private current = new Map<string, CompiledProcedure>();
  /** name → content hash → compiled; grows with each reload, never shrinks while the server runs. */
  private readonly versions = new Map<string, Map<string, CompiledProcedure>>();

  /** Makes `procedures` (by name) the set new conversations use. */
  replace(procedures: ReadonlyMap<string, CompiledProcedure>): void {
    for (const [name, compiled] of procedures) {
      let known = this.versions.get(name);
      if (!known) this.versions.set(name, (known = new Map()));
      known.set(compiled.version, compiled);
    }
    this.current = new Map(procedures);
  }

  async routable(): Promise<{ name: string; trigger: string }[]> {
    return [...this.current.values()].filter((procedure) => !procedure.subProcedure && procedure.trigger).map((procedure) => ({ name: procedure.name, trigger: procedure.trigger! }));
  }

  async load(name: string, options: { draft: boolean; version?: string }): Promise<CompiledProcedure | null> {
    // Bundled Procedures are live versions; there are no drafts in production.
    if (options.draft) return null;
    if (options.version) {
      const kept = this.versions.get(name)?.get(options.version);
      if (kept) return kept;
    }
    return this.current.get(name) ?? null;
  }

  /** Current Procedures by name, with their content hash. */
  list(): { name: string; version: string; trigger: string | null; subProcedure: boolean }[] {
    return [...this.current.values()].map((procedure) => ({ name: procedure.name, version: procedure.version, trigger: procedure.trigger, subProcedure: procedure.subProcedure }));
  }
}
