// The Procedures a server routes between. A bundle set is the content of the bundles a server
// serves (its hash names it); new conversations start on the current set, and each conversation
// finishes on the set it started on, whatever was reloaded since, on whichever instance takes its
// next message: a set this server never loaded is read from the database (every server keeps the
// sets it serves there) and its texts checked against their content hashes.
import { compileProcedure, type CompiledProcedure } from '../runtime/compiled-procedure';
import type { ProcedureCatalog } from '../runtime/types';
import { contentHash } from '../store/hash';
import type { SetProcedure } from '../store/production';

/** One bundle set's Procedures, by name. */
class SetCatalog implements ProcedureCatalog {
  constructor(
    private readonly procedures: ReadonlyMap<string, CompiledProcedure>,
    private readonly versions: (name: string, version: string) => CompiledProcedure | undefined,
  ) {}

  async routable(): Promise<{ name: string; trigger: string }[]> {
    return [...this.procedures.values()].filter((procedure) => !procedure.subProcedure && procedure.trigger).map((procedure) => ({ name: procedure.name, trigger: procedure.trigger! }));
  }

  async load(name: string, options: { draft: boolean; version?: string }): Promise<CompiledProcedure | null> {
    // Bundled Procedures are live versions; there are no drafts in production.
    if (options.draft) return null;
    const inSet = this.procedures.get(name);
    if (options.version && inSet?.version !== options.version) return this.versions(name, options.version) ?? inSet ?? null;
    return inSet ?? null;
  }

  list(): { name: string; version: string; trigger: string | null; subProcedure: boolean }[] {
    return [...this.procedures.values()].map((procedure) => ({ name: procedure.name, version: procedure.version, trigger: procedure.trigger, subProcedure: procedure.subProcedure }));
  }
}

export class BundleCatalog implements ProcedureCatalog {
  private currentHash = '';
  private current = new SetCatalog(new Map(), () => undefined);
  /** Set hash → its catalog: grows with each reload and each set read back, never shrinks while the server runs. */
  private readonly sets = new Map<string, SetCatalog>();
  /** name → content hash → compiled, over every set known here. */
  private readonly versions = new Map<string, Map<string, CompiledProcedure>>();

  /** Makes `procedures` (by name), the set `setHash`, the one new conversations use. */
  replace(procedures: ReadonlyMap<string, CompiledProcedure>, setHash: string): void {
    this.current = this.remember(setHash, procedures);
    this.currentHash = setHash;
  }

  /** The hash of the set new conversations start on. */
  get currentSet(): string {
    return this.currentHash;
  }

  /**
   * What a conversation on the set `setHash` sees; `read` gives the set's Procedures when this
   * server has not loaded it. Refuses a set the database does not hold, or a text whose hash is
   * not its version.
   */
  async forSet(setHash: string, read: (setHash: string) => Promise<SetProcedure[]>): Promise<ProcedureCatalog> {
    const known = this.sets.get(setHash);
    if (known) return known;
    const kept = await read(setHash);
    if (kept.length === 0) throw new Error(`The bundle set ${setHash.slice(0, 12)}… this conversation started on is not in the database: it cannot go on.`);
    const procedures = new Map<string, CompiledProcedure>();
    for (const { name, version, text } of kept) {
      if (contentHash(text) !== version) throw new Error(`The Procedure "${name}" of bundle set ${setHash.slice(0, 12)}… was changed in the database: its text no longer matches its content hash.`);
      procedures.set(name, compileProcedure(text, version));
    }
    return this.remember(setHash, procedures);
  }

  async routable(): Promise<{ name: string; trigger: string }[]> {
    return this.current.routable();
  }

  load(name: string, options: { draft: boolean; version?: string }): Promise<CompiledProcedure | null> {
    return this.current.load(name, options);
  }

  /** Current Procedures by name, with their content hash. */
  list(): { name: string; version: string; trigger: string | null; subProcedure: boolean }[] {
    return this.current.list();
  }

  private remember(setHash: string, procedures: ReadonlyMap<string, CompiledProcedure>): SetCatalog {
    for (const [name, compiled] of procedures) {
      let known = this.versions.get(name);
      if (!known) this.versions.set(name, (known = new Map()));
      known.set(compiled.version, compiled);
    }
    const catalog = this.sets.get(setHash) ?? new SetCatalog(new Map(procedures), (name, version) => this.versions.get(name)?.get(version));
    this.sets.set(setHash, catalog);
    return catalog;
  }
}

/** A set's Procedures as the database keeps them. */
export function setProcedures(procedures: ReadonlyMap<string, CompiledProcedure>): SetProcedure[] {
  return [...procedures.values()].map((procedure) => ({ name: procedure.name, version: procedure.version, text: procedure.text }));
}
