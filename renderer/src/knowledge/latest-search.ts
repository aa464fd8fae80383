// Search as you type without a queue: at most one search is in flight, and while it runs only the
// newest text waits (the ones typed in between are never sent: no one will see their answers, and
// on a busy machine each one sent would delay the next). A text that means what the shown answer
// means (only spaces or case differ) is answered at once, without asking the engine again.

/** Texts the engine's search cannot tell apart (it ignores case and the spaces between words). */
export const searchKey = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

export class LatestOnlySearch<T> {
  private inFlight = false;
  private pending: { text: string; fresh: boolean } | null = null;
  /** Bumped by every ask and clear: an answer to an older one is not shown. */
  private generation = 0;
  private answered: { key: string; value: T } | null = null;

  constructor(
    private readonly fetch: (text: string) => Promise<T>,
    private readonly show: (text: string, value: T) => void,
    private readonly fail: (message: string) => void,
  ) {}

  /** Searches for `text`; `fresh` when the hub changed, so an answer kept from before will not do. */
  ask(text: string, fresh = false): void {
    this.generation++;
    if (fresh) this.answered = null;
    this.pending = { text, fresh };
    if (!this.inFlight) void this.pump();
  }

  /** Nothing to search for (the box was emptied): whatever is in flight or waiting is not shown. */
  clear(): void {
    this.generation++;
    this.pending = null;
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.pending) {
        const { text, fresh } = this.pending;
        this.pending = null;
        const generation = this.generation;
        if (!fresh && this.answered?.key === searchKey(text)) {
          this.show(text, this.answered.value);
          continue;
        }
        try {
          const value = await this.fetch(text);
          this.answered = { key: searchKey(text), value };
          if (generation === this.generation) this.show(text, value);
        } catch (error) {
          if (generation === this.generation) this.fail((error as Error).message);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}
