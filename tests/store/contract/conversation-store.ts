// The contract every ConversationStore implementation meets (the SQLite workspace and PostgreSQL):
// one suite, run against each implementation with its own factory. What differs by design (units
// one at a time on SQLite's one connection; the lock's transaction on PostgreSQL) is tested beside
// each implementation.
import { describe, expect, it } from 'vitest';
import type { ConversationStore, TurnRecord } from '../../../main/store/repositories';
import { useOpenedStores } from './opened-stores';

export interface StoreUnderTest {
  store: ConversationStore;
  close(): Promise<void>;
}

const turn = (overrides: Partial<TurnRecord> = {}): TurnRecord => ({
  state: { turn: 1, note: 'kept as given' },
  history: [{ role: 'user', content: 'hello' }],
  status: 'waiting',
  newMessages: [{ role: 'customer', content: 'hello' }],
  trace: [{ type: 'step_enter', stepId: 'step:start', payload: { procedure: 'Greeting' } }],
  ...overrides,
});

export function describeConversationStore(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    const openStore = useOpenedStores(make);
    const open = async () => (await openStore()).store;

    it('creates conversations, lists them newest first, by kind and by status, and refuses a bad kind or filter', async () => {
      const store = await open();
      const first = await store.conversations.create({ kind: 'preview' });
      const second = await store.conversations.create({ kind: 'production', externalId: 'ticket-7' });
      expect(second.id).toBeGreaterThan(first.id);
      expect(first).toMatchObject({ kind: 'preview', status: 'active', endedAt: null, externalId: null });
      expect((await store.conversations.list()).map((c) => c.id)).toEqual([second.id, first.id]);
      expect((await store.conversations.list({ kind: 'production' })).map((c) => c.externalId)).toEqual(['ticket-7']);
      await store.turns.save(first.id, turn({ status: 'escalated' }));
      expect((await store.conversations.list({ status: 'escalated' })).map((c) => c.id)).toEqual([first.id]);
      expect((await store.conversations.list({ status: 'active', kind: 'production' })).map((c) => c.id)).toEqual([second.id]);
      expect(await store.conversations.list({ status: 'escalated', kind: 'production' })).toEqual([]);
      expect((await store.conversations.list({ limit: 1 })).map((c) => c.id)).toEqual([second.id]);
      await expect(store.conversations.list({ status: 'handed-off' as 'ended' })).rejects.toThrow(/Conversation filter is not valid: status/);
      await expect(store.conversations.list({ limit: 0 })).rejects.toThrow(/limit/);
      await expect(store.conversations.create({ kind: 'chat' as 'preview' })).rejects.toThrow(/kind/);
      expect(await store.conversations.get(999_999)).toBeNull();
    });

    it('saves a turn whole: state, history, transcript, trace and status, and loads it back', async () => {
      const store = await open();
      const { id } = await store.conversations.create({ kind: 'preview' });
      expect(await store.turns.load(id)).toBeNull();
      await store.turns.save(id, turn());
      await store.turns.save(
        id,
        turn({
          state: { turn: 2 },
          history: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }],
          status: 'active',
          newMessages: [{ role: 'agent', content: 'hi' }],
          trace: [{ type: 'reply', payload: {} }],
        }),
      );
      const loaded = await store.turns.load(id);
      expect(loaded!.state).toMatchObject({ turn: 2 });
      expect(loaded!.history).toEqual([{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }]);
      expect((await store.conversations.messages(id)).map((m) => [m.seq, m.role, m.content])).toEqual([
        [1, 'customer', 'hello'],
        [2, 'agent', 'hi'],
      ]);
      expect((await store.traces.events(id)).map((e) => [e.seq, e.type, e.stepId])).toEqual([
        [1, 'step_enter', 'step:start'],
        [2, 'reply', null],
      ]);
      expect(await store.traces.count(id)).toBe(2);
      expect((await store.traces.events(id, { afterSeq: 1 })).map((e) => e.type)).toEqual(['reply']);
    });

    it('keeps an escalation apart from a handoff, stamps the end once, and re-opens an ended conversation', async () => {
      const store = await open();
      const escalated = await store.conversations.create({ kind: 'production' });
      const handedOff = await store.conversations.create({ kind: 'production' });
      await store.turns.save(escalated.id, turn({ status: 'escalated' }));
      await store.turns.save(handedOff.id, turn({ status: 'handed_off' }));
      expect((await store.conversations.get(escalated.id))!.status).toBe('escalated');
      expect((await store.conversations.get(handedOff.id))!.status).toBe('handed_off');
      const endedAt = (await store.conversations.get(escalated.id))!.endedAt;
      expect(endedAt).not.toBeNull();
      await store.conversations.setStatus(escalated.id, 'ended');
      expect((await store.conversations.get(escalated.id))!.endedAt).toBe(endedAt);
      await store.conversations.setStatus(escalated.id, 'active');
      expect(await store.conversations.get(escalated.id)).toMatchObject({ status: 'active', endedAt: null });
      await expect(store.conversations.setStatus(escalated.id, 'handed-off' as 'ended')).rejects.toThrow(/"handed-off" is not a conversation status/);
      await expect(store.conversations.setStatus(999_999, 'ended')).rejects.toThrow(/no conversation 999999/);
    });

    it('refuses a turn that would rewrite history or carries a bad trace event, and keeps nothing of it', async () => {
      const store = await open();
      const { id } = await store.conversations.create({ kind: 'preview' });
      await store.turns.save(id, turn({ history: [{ n: 1 }, { n: 2 }] }));
      await expect(store.turns.save(id, turn({ history: [{ n: 1 }], newMessages: [{ role: 'agent', content: 'lost' }] }))).rejects.toThrow(/append-only/);
      await expect(store.turns.save(id, turn({ history: [{ n: 1 }, { n: 2 }, { n: 3 }], state: { turn: 9 }, trace: [{ type: '' }] }))).rejects.toThrow(/Trace events are not valid/);
      const loaded = await store.turns.load(id);
      expect(loaded!.history).toEqual([{ n: 1 }, { n: 2 }]);
      expect(loaded!.state).toMatchObject({ turn: 1 });
      expect((await store.conversations.messages(id)).map((m) => m.content)).toEqual(['hello']);
      expect(await store.traces.count(id)).toBe(1);
      await expect(store.turns.save(999_999, turn())).rejects.toThrow(/no conversation 999999/);
    });

    it('commits a unit of work together, and keeps nothing of one that throws', async () => {
      const store = await open();
      const kept = await store.unitOfWork(async (repos) => {
        const conversation = await repos.conversations.create({ kind: 'simulation' });
        await repos.traces.append(conversation.id, [{ type: 'started' }]);
        return conversation.id;
      });
      expect(await store.traces.count(kept)).toBe(1);
      let doomed = 0;
      await expect(
        store.unitOfWork(async (repos) => {
          doomed = (await repos.conversations.create({ kind: 'simulation' })).id;
          await repos.turns.save(doomed, turn());
          throw new Error('the connector call failed');
        }),
      ).rejects.toThrow('the connector call failed');
      expect(doomed).toBeGreaterThan(0);
      expect(await store.conversations.get(doomed)).toBeNull();
      expect(await store.turns.load(doomed)).toBeNull();
      expect(await store.traces.count(doomed)).toBe(0);
      // A turn saved after a rolled-back one still appends from what is really stored.
      const { id } = await store.conversations.create({ kind: 'preview' });
      await expect(
        store.unitOfWork(async (repos) => {
          await repos.turns.save(id, turn({ history: [{ n: 1 }, { n: 2 }] }));
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      await store.turns.save(id, turn({ history: [{ n: 1 }] }));
      expect((await store.turns.load(id))!.history).toEqual([{ n: 1 }]);
    });

    it('keeps every write of units of work that run side by side', async () => {
      const store = await open();
      const unit = (name: string) =>
        store.unitOfWork(async (repos) => {
          const conversation = await repos.conversations.create({ kind: 'preview', externalId: name });
          await repos.traces.append(conversation.id, [{ type: 'first' }, { type: 'second' }]);
          await repos.turns.save(conversation.id, turn({ newMessages: [{ role: 'customer', content: name }] }));
          return conversation.id;
        });
      const ids = await Promise.all(['A', 'B', 'C'].map(unit));
      for (const [index, id] of ids.entries()) {
        expect((await store.conversations.get(id))!.externalId).toBe(['A', 'B', 'C'][index]);
        expect((await store.traces.events(id)).map((e) => [e.seq, e.type])).toEqual([[1, 'first'], [2, 'second'], [3, 'step_enter']]);
        expect((await store.conversations.messages(id)).map((m) => m.content)).toEqual([['A', 'B', 'C'][index]]);
      }
    });

    it('serializes the holders of one conversation\'s lock, even while they await something else', async () => {
      const store = await open();
      const { id } = await store.conversations.create({ kind: 'production' });
      const steps: string[] = [];
      const hold = (name: string) =>
        store.withConversationLock(id, async (repos) => {
          steps.push(`${name} begins`);
          const before = (await repos.conversations.messages(id)).length;
          // A model call in the middle of the turn: the other holder must not run meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 40));
          await repos.turns.save(id, turn({ history: [], newMessages: [{ role: 'agent', content: `${name} after ${before}` }] }));
          steps.push(`${name} ends`);
          return name;
        });
      expect(await Promise.all([hold('A'), hold('B'), hold('C')])).toEqual(['A', 'B', 'C']);
      // In whatever order they got it (first come is not promised across connections), each
      // holder ended before the next began, and saw the turn before it: nothing interleaved.
      const order = steps.filter((step) => step.endsWith('begins')).map((step) => step[0]);
      expect(order.slice().sort()).toEqual(['A', 'B', 'C']);
      expect(steps).toEqual(order.flatMap((name) => [`${name} begins`, `${name} ends`]));
      expect((await store.conversations.messages(id)).map((m) => m.content)).toEqual(order.map((name, index) => `${name} after ${index}`));
    });

    it('does not make another conversation wait for a lock', async () => {
      const store = await open();
      const first = await store.conversations.create({ kind: 'production' });
      const second = await store.conversations.create({ kind: 'production' });
      let secondRan!: () => void;
      const secondHasRun = new Promise<void>((resolve) => (secondRan = resolve));
      const timeout = (ms: number) => new Promise((_, reject) => setTimeout(() => reject(new Error('the other conversation waited for the lock')), ms));
      // The first holds its lock until the second has run: if the second waited, neither would end.
      const holding = store.withConversationLock(first.id, () => Promise.race([secondHasRun, timeout(5_000)]));
      await store.withConversationLock(second.id, async () => secondRan());
      await holding;
    });

    it('frees a lock whose work throws, refuses an unknown conversation, and keeps what the holder wrote', async () => {
      const store = await open();
      const { id } = await store.conversations.create({ kind: 'production' });
      await expect(store.withConversationLock(id, async () => { throw new Error('the model failed'); })).rejects.toThrow('the model failed');
      await store.withConversationLock(id, (repos) => repos.turns.save(id, turn()));
      expect((await store.turns.load(id))!.state).toMatchObject({ turn: 1 });
      expect((await store.conversations.get(id))!.status).toBe('waiting');
      let ran = false;
      await expect(store.withConversationLock(999_999, async () => { ran = true; })).rejects.toThrow(/no conversation 999999/);
      expect(ran).toBe(false);
      // Taking the same lock again inside its holder would wait for ever: refused at once.
      await expect(store.withConversationLock(id, () => store.withConversationLock(id, async () => 'inner'))).rejects.toThrow(/already holds conversation \d+'s lock/);
      const other = await store.conversations.create({ kind: 'production' });
      expect(await store.withConversationLock(id, () => store.withConversationLock(other.id, async () => 'both held'))).toBe('both held');
    });
  });
}
