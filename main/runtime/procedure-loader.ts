// The Procedure-loading effect of a turn: Procedures read from the catalog once per turn and kept by
// name, so the pure rules can look them up in a plain map.
import type { CompiledProcedure } from './compiled-procedure';
import type { ConversationState, ProcedureCatalog } from './types';

export class ProcedureLoader {
  /** What the rules read (RuleContext.procedures). */
  readonly loaded = new Map<string, CompiledProcedure>();
  private routableCache: Promise<{ name: string; trigger: string }[]> | null = null;
  private routableList: { name: string; trigger: string }[] | null = null;

  constructor(
    private readonly catalog: ProcedureCatalog,
    private readonly draft: boolean,
  ) {}

  async procedure(name: string, version?: string): Promise<CompiledProcedure | null> {
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const loaded = await this.catalog.load(name, { draft: this.draft, ...(version ? { version } : {}) });
    if (loaded) this.loaded.set(name, loaded);
    return loaded;
  }

  /** The active and paused Procedures and every sub-procedure they may call, so the prompt holds them all. */
  async conversation(state: ConversationState): Promise<CompiledProcedure[]> {
    const queue = [...state.stack, ...state.paused.flat()].map((frame) => ({ name: frame.procedure, version: frame.version as string | undefined }));
    const found: CompiledProcedure[] = [];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const { name, version } = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      // Awaited only when not yet loaded: a turn walks this list before every model call.
      const procedure = this.loaded.get(name) ?? (await this.procedure(name, version));
      if (!procedure) continue;
      found.push(procedure);
      for (const call of procedure.calls) queue.push({ name: call, version: undefined });
    }
    return found;
  }

  /** The routable Procedures once read, so a loop need not await them again. */
  get routableNow(): { name: string; trigger: string }[] | null {
    return this.routableList;
  }

  /** The Procedures that can start a conversation, read once per turn. */
  async routable(): Promise<{ name: string; trigger: string }[]> {
    if (this.routableList) return this.routableList;
    this.routableCache ??= this.catalog.routable();
    this.routableList = await this.routableCache;
    return this.routableList;
  }
}
