// The Procedures a suite runs on, pinned when it starts: every Procedure's draft (or live version)
// is kept by content hash, and the runs load exactly those texts, even if a draft is saved while
// they run. A replay pins the same hashes again, so it sees the very texts the run saw.
import { compileProcedure, type CompiledProcedure } from '../runtime/compiled-procedure';
import type { ProcedureCatalog } from '../runtime/types';
import type { Workspace } from '../store/workspace';

export interface PinnedProcedures {
  /** Drafts (true) or live versions. */
  draft: boolean;
  /** Content hash by Procedure name. */
  hashes: Record<string, string>;
}

/** Pins every Procedure of the workspace (its draft, or its live version when `draft` is false). */
export function pinProcedures(workspace: Workspace, draft: boolean): PinnedProcedures {
  const hashes: Record<string, string> = {};
  const recordings = workspace.simulations.recordings;
  for (const entry of workspace.procedures.hashes()) {
    const hash = draft ? entry.draftHash : entry.liveHash;
    if (!hash) continue;
    if (!recordings.hasSnapshot(hash)) {
      const record = workspace.procedures.require(entry.name);
      const text = draft ? record.draftText : workspace.procedures.version(entry.name, record.live!.version).text;
      recordings.snapshot('procedure', entry.name, text);
    }
    hashes[entry.name] = hash;
  }
  return { draft, hashes };
}

/** The runtime's ProcedureCatalog over pinned texts. */
export class PinnedCatalog implements ProcedureCatalog {
  private readonly compiled = new Map<string, CompiledProcedure>();

  constructor(
    private readonly workspace: Workspace,
    private readonly pinned: PinnedProcedures,
  ) {}

  async routable(): Promise<{ name: string; trigger: string }[]> {
    const routable: { name: string; trigger: string }[] = [];
    for (const name of Object.keys(this.pinned.hashes).sort()) {
      const procedure = this.compile(name);
      if (procedure && !procedure.subProcedure && procedure.trigger) routable.push({ name: procedure.name, trigger: procedure.trigger });
    }
    return routable;
  }

  async load(name: string): Promise<CompiledProcedure | null> {
    return this.compile(name);
  }

  /** The pinned text of a Procedure, or null if it was not pinned. */
  text(name: string): string | null {
    const hash = this.pinned.hashes[name];
    return hash ? this.workspace.simulations.recordings.snapshotText(hash) : null;
  }

  private compile(name: string): CompiledProcedure | null {
    const cached = this.compiled.get(name);
    if (cached) return cached;
    const hash = this.pinned.hashes[name];
    const text = this.text(name);
    if (!hash || text === null) return null;
    // The same version labels as the workspace catalog, so prompts read the same.
    const procedure = compileProcedure(text, this.pinned.draft ? `draft:${hash}` : hash);
    this.compiled.set(name, procedure);
    return procedure;
  }
}
