// A queue per conversation inside one process: the next holder for a conversation waits until the
// one before it settles; other conversations do not wait. The SQLite store's conversation lock is
// this queue; the PostgreSQL store queues here before it takes the database's lock, so turns of
// one conversation waiting in one instance hold no database connection.
export class ConversationQueue {
  /** Per conversation, the last holder (in line or running). */
  private readonly tails = new Map<number, Promise<void>>();

  async run<T>(conversationId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(conversationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(conversationId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    }
  }
}
