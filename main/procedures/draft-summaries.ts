// What the Procedure list shows of each draft, remembered by the draft's content hash. The list is
// asked for on every refresh, and parsing every draft each time let one large draft slow down every
// later list. A summary depends on nothing but the text, so its hash is a key that never goes stale.
import { procedureFacts } from './text';

export interface DraftSummary {
  subProcedure: boolean;
}

export function summariseDraft(text: string): DraftSummary {
  return { subProcedure: procedureFacts(text).subProcedure };
}

/** A small least-recently-used cache of summaries by content hash. */
export class DraftSummaries {
  private readonly byHash = new Map<string, DraftSummary>();

  constructor(
    private readonly summarise: (text: string) => DraftSummary = summariseDraft,
    private readonly capacity = 500,
  ) {}

  /** The summary of `text`, whose content hash is `hash`; parsed only the first time it is seen. */
  get(hash: string, text: string): DraftSummary {
    const known = this.byHash.get(hash);
    if (known) {
      // Map keeps insertion order: moving the entry to the end marks it as the most recently used.
      this.byHash.delete(hash);
      this.byHash.set(hash, known);
      return known;
    }
    const summary = this.summarise(text);
    this.byHash.set(hash, summary);
    if (this.byHash.size > this.capacity) this.byHash.delete(this.byHash.keys().next().value!);
    return summary;
  }

  get size(): number {
    return this.byHash.size;
  }
}
