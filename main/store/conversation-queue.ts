// A queue per conversation inside one process: the next holder for a conversation waits until the
// one before it settles; other conversations do not wait. The SQLite store's conversation lock is
// this queue; the PostgreSQL store queues here before it takes the database's lock, so turns of
// one conversation waiting in one instance hold no database connection.
import { AsyncLocalStorage } from 'node:async_hooks';
import { StoreError } from './errors';

export class ConversationQueue {
  /** Per conversation, the last holder (in line or running). */
  private readonly tails = new Map<number, Promise<void>>();
  /** The conversations the current async context holds: asking again would wait for itself. */
  private readonly held = new AsyncLocalStorage<ReadonlySet<number>>();

  async run<T>(conversationId: number, work: () => Promise<T>): Promise<T> {
    const holding = this.held.getStore() ?? new Set<number>();
    if (holding.has(conversationId)) {
      throw new StoreError(`This work already holds conversation ${conversationId}'s lock; taking it again inside would wait for ever. Use the repositories it was given.`, 'invalid');
    }
    const previous = this.tails.get(conversationId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(conversationId, tail);
    await previous;
    try {
      return await this.held.run(new Set([...holding, conversationId]), work);
    } finally {
      release();
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    }
  }
}
