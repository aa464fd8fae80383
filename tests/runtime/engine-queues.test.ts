// The engine serializes the turns of each conversation with a queue per conversation. An engine
// that serves for months (the production server's, on SQLite) must not keep a queue entry for every
// conversation it ever ran: the entry goes once the last turn queued is done, failed or not.
import { describe, expect, it } from 'vitest';
import type { ConversationEngine } from '../../main/runtime/engine';
import { toolCalls } from '../support/fake-anthropic';
import { createHarness, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();
const CLAIM = 'Damaged order claim';
const queuesOf = (engine: ConversationEngine) => (engine as unknown as { queues: Map<number, Promise<unknown>> }).queues;

describe('the engine\'s turn queues', () => {
  it('holds an entry only while a conversation has a turn queued or running', async () => {
    const answer = (message: string) => ({ ...toolCalls(['reply', { message }]), delayMs: 50 });
    const harness = await createHarness({ sandbox, script: [answer('First.'), answer('Second.'), answer('Third.')] });
    try {
      const id = await harness.engine.start({ kind: 'preview', procedure: CLAIM });
      const other = await harness.engine.start({ kind: 'preview', procedure: CLAIM });
      // Two turns of one conversation queued behind each other, and one of another.
      const turns = [harness.engine.send(id, 'My order 1043 arrived broken'), harness.engine.send(id, 'The kettle'), harness.engine.send(other, 'Order 1043 is damaged')];
      expect(queuesOf(harness.engine).size).toBe(2);
      const first = await turns[0]!;
      expect(first.replies).toHaveLength(1);
      // The second turn of `id` is still queued: its entry stays.
      expect(queuesOf(harness.engine).has(id)).toBe(true);
      await Promise.all(turns);
      expect(queuesOf(harness.engine).size).toBe(0);
      // A failed turn (an empty message) leaves none either.
      await expect(harness.engine.send(id, '   ')).rejects.toThrow(/empty/);
      expect(queuesOf(harness.engine).size).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
