// The contract of the production server's records (main/store/production.ts), run against the
// SQLite workspace and PostgreSQL with a factory each: API keys, the turn saved with its outbox
// rows and idempotency record all or nothing, the filters of the conversation list, closing, and
// the outbox's life (due, failed and retried later, delivered).
import { describe, expect, it } from 'vitest';
import type { ProductionRepository } from '../../../main/store/production';
import type { ConversationStore, TurnRecord } from '../../../main/store/repositories';
import { useOpenedStores } from './opened-stores';

export interface ProductionUnderTest {
  store: ConversationStore;
  production: ProductionRepository;
  close(): Promise<void>;
}

const turn = (content: string, overrides: Partial<TurnRecord> = {}): TurnRecord => ({
  state: { note: content },
  history: [],
  status: 'waiting',
  newMessages: [{ role: 'customer', content }],
  trace: [{ type: 'reply', payload: {} }],
  ...overrides,
});

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

export function describeProductionRepository(name: string, make: () => Promise<ProductionUnderTest>): void {
  describe(`ProductionRepository contract: ${name}`, () => {
    const open = useOpenedStores(make);

    it('keeps API keys by hash, lists them, and revokes one by its fingerprint once', async () => {
      const { production } = await open();
      const admin = await production.createApiKey({ name: 'ops', scope: 'admin', tokenHash: 'hash-a', fingerprint: 'fp-a' });
      await production.createApiKey({ name: 'widget', scope: 'conversations', tokenHash: 'hash-b', fingerprint: 'fp-b' });
      expect(admin).toMatchObject({ name: 'ops', scope: 'admin', fingerprint: 'fp-a', revokedAt: null });
      expect(await production.apiKeyByHash('hash-a')).toEqual(admin);
      expect(await production.apiKeyByHash('hash-c')).toBeNull();
      expect((await production.listApiKeys()).map((key) => key.name)).toEqual(['ops', 'widget']);
      expect(await production.revokeApiKey('fp-a')).toBe(true);
      expect(await production.revokeApiKey('fp-a')).toBe(false);
      expect(await production.apiKeyByHash('hash-a')).toBeNull();
      expect((await production.listApiKeys())[0]!.revokedAt).not.toBeNull();
    });

    it('saves a turn with its outbox rows, Procedure and idempotency record, and refuses the same key twice keeping nothing of the second', async () => {
      const { store, production } = await open();
      const { id } = await store.conversations.create({ kind: 'production', externalId: 'chat-1' });
      expect((await production.conversationByExternalId('chat-1'))!.id).toBe(id);
      expect(await production.conversationByExternalId('chat-2')).toBeNull();
      // Production's before its first turn; a conversation of another kind, or none, is not.
      expect(await production.productionInfo(id)).toEqual({ production: true, procedure: null, closedAt: null, bundleSet: null });
      const preview = await store.conversations.create({ kind: 'preview' });
      expect((await production.productionInfo(preview.id)).production).toBe(false);
      expect((await production.productionInfo(id + 1000)).production).toBe(false);
      await production.saveTurn(id, turn('hello', { status: 'handed_off' }), {
        procedure: 'Order help',
        outbox: [{ event: 'handoff', body: '{"n":1}' }, { event: 'escalation', body: '{"n":2}' }],
        idempotency: { keyId: 7, key: 'retry-1', requestHash: 'req', response: '{"reply":"hi"}' },
      });
      expect(await production.idempotency(7, id, 'retry-1')).toEqual({ requestHash: 'req', response: '{"reply":"hi"}' });
      expect(await production.idempotency(8, id, 'retry-1')).toBeNull();
      expect(await production.productionInfo(id)).toEqual({ production: true, procedure: 'Order help', closedAt: null, bundleSet: null });
      expect(await production.pendingOutbox()).toBe(2);
      await expect(
        production.saveTurn(id, turn('hello again'), { procedure: 'Other', outbox: [{ event: 'handoff', body: '{"n":3}' }], idempotency: { keyId: 7, key: 'retry-1', requestHash: 'req', response: '{}' } }),
      ).rejects.toThrow(/Idempotency-Key "retry-1" was already used/);
      expect((await store.conversations.messages(id)).map((message) => message.content)).toEqual(['hello']);
      expect(await production.pendingOutbox()).toBe(2);
      expect(await production.productionInfo(id)).toEqual({ production: true, procedure: 'Order help', closedAt: null, bundleSet: null });
      expect((await store.conversations.get(id))!.status).toBe('handed_off');
      // A bad turn keeps nothing of its extras either.
      await expect(production.saveTurn(id, turn('x', { trace: [{ type: '' }] }), { procedure: 'Bad', outbox: [{ event: 'handoff', body: '{}' }] })).rejects.toThrow(/Trace events are not valid/);
      expect(await production.pendingOutbox()).toBe(2);
      // One external id names one production conversation.
      await expect(store.conversations.create({ kind: 'production', externalId: 'chat-1' })).rejects.toThrow();
      await store.conversations.create({ kind: 'preview', externalId: 'chat-1' });
    });

    it('lists production conversations by status, Procedure, start time and page, newest first', async () => {
      const { store, production } = await open();
      const ids: number[] = [];
      for (const [index, procedure] of ['Order help', 'Greeting', 'Order help'].entries()) {
        const { id } = await store.conversations.create({ kind: 'production' });
        ids.push(id);
        await production.saveTurn(id, turn(`c${index}`, { status: index === 1 ? 'ended' : 'waiting' }), { procedure, outbox: [] });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await store.conversations.create({ kind: 'preview' });
      const list = async (filter: Partial<Parameters<ProductionRepository['listConversations']>[0]>) => (await production.listConversations({ limit: 50, ...filter })).map((c) => c.id);
      expect(await list({})).toEqual([ids[2], ids[1], ids[0]]);
      expect(await list({ procedure: 'Order help' })).toEqual([ids[2], ids[0]]);
      expect(await list({ status: 'ended' })).toEqual([ids[1]]);
      expect(await list({ beforeId: ids[2] })).toEqual([ids[1], ids[0]]);
      expect(await list({ limit: 1 })).toEqual([ids[2]]);
      const second = (await store.conversations.get(ids[1]!))!.startedAt;
      expect(await list({ startedAfter: second })).toEqual([ids[2], ids[1]]);
      expect(await list({ startedBefore: second })).toEqual([ids[0]]);
      const [first] = await production.listConversations({ limit: 1 });
      expect(first).toMatchObject({ id: ids[2], kind: 'production', procedure: 'Order help', closedAt: null, status: 'waiting' });
    });

    it('closes a production conversation once, counts the open ones, and refuses to close any other', async () => {
      const { store, production } = await open();
      const open1 = await store.conversations.create({ kind: 'production' });
      const open2 = await store.conversations.create({ kind: 'production' });
      const preview = await store.conversations.create({ kind: 'preview' });
      expect(await production.countOpen()).toBe(2);
      expect(await production.close(open1.id)).toBe(true);
      const closedAt = (await production.productionInfo(open1.id)).closedAt;
      expect(closedAt).not.toBeNull();
      expect((await store.conversations.get(open1.id))!.status).toBe('ended');
      expect(await production.close(open1.id)).toBe(true);
      expect((await production.productionInfo(open1.id)).closedAt).toBe(closedAt);
      expect(await production.countOpen()).toBe(1);
      expect(await production.close(preview.id)).toBe(false);
      expect(await production.close(999_999)).toBe(false);
      expect((await store.conversations.get(open2.id))!.status).toBe('active');
    });

    it('keeps an outcome through closing: an escalated or handed-off conversation stays so, and its status filter still lists it', async () => {
      const { store, production } = await open();
      const escalated = await store.conversations.create({ kind: 'production' });
      const handedOff = await store.conversations.create({ kind: 'production' });
      await production.saveTurn(escalated.id, turn('e', { status: 'escalated' }), { procedure: 'Order help', outbox: [] });
      await production.saveTurn(handedOff.id, turn('h', { status: 'handed_off' }), { procedure: 'Order help', outbox: [] });
      expect(await production.close(escalated.id)).toBe(true);
      expect(await production.close(handedOff.id)).toBe(true);
      expect((await store.conversations.get(escalated.id))!.status).toBe('escalated');
      expect((await store.conversations.get(handedOff.id))!.status).toBe('handed_off');
      expect((await production.productionInfo(escalated.id)).closedAt).not.toBeNull();
      expect((await production.listConversations({ status: 'escalated', limit: 50 })).map((row) => row.id)).toEqual([escalated.id]);
      expect((await production.listConversations({ status: 'ended', limit: 50 })).map((row) => row.id)).toEqual([]);
    });

    it('hands out due outbox rows oldest first, holds back a failed one until its next attempt, and keeps the delivered', async () => {
      const { store, production } = await open();
      const { id } = await store.conversations.create({ kind: 'production' });
      await production.saveTurn(id, turn('a', { status: 'handed_off' }), { procedure: null, outbox: [{ event: 'handoff', body: '{"a":1}' }, { event: 'escalation', body: '{"b":2}' }] });
      const due = await production.dueOutbox(later(1_000), 10);
      expect(due.map((row) => [row.event, row.body, row.attempts, row.conversationId])).toEqual([
        ['handoff', '{"a":1}', 0, id],
        ['escalation', '{"b":2}', 0, id],
      ]);
      expect(due[0]!.id).toBeLessThan(due[1]!.id);
      await production.markAttemptFailed(due[0]!.id, later(3_600_000), 'HTTP 503');
      await production.markDelivered(due[1]!.id);
      expect(await production.pendingOutbox()).toBe(1);
      expect((await production.deliveredOutbox()).map((row) => [row.event, row.attempts])).toEqual([['escalation', 1]]);
      // The failed row is due again only at its next attempt, with its attempt counted.
      expect(await production.dueOutbox(later(120_000), 10)).toEqual([]);
      const retried = await production.dueOutbox(later(7_200_000), 10);
      expect(retried.map((row) => [row.id, row.attempts])).toEqual([[due[0]!.id, 1]]);
      await production.ping();
    });

    it('makes undelivered rows due now on a reschedule, except those given up on', async () => {
      const { store, production } = await open();
      const { id } = await store.conversations.create({ kind: 'production' });
      await production.saveTurn(id, turn('a', { status: 'handed_off' }), { procedure: null, outbox: [{ event: 'handoff', body: '{"a":1}' }, { event: 'handoff', body: '{"b":2}' }, { event: 'handoff', body: '{"c":3}' }] });
      const [first, second, third] = await production.dueOutbox(later(1_000), 10);
      await production.markAttemptFailed(first!.id, later(3_600_000), 'HTTP 500');
      await production.markAttemptFailed(second!.id, later(3_600_000), 'HTTP 500');
      await production.markAttemptFailed(second!.id, later(3_600_000), 'HTTP 500');
      await production.markDelivered(third!.id);
      // Two attempts is the most: the second row is given up on, the delivered one is done.
      expect(await production.rescheduleUndelivered(2)).toBe(1);
      expect((await production.dueOutbox(later(1_000), 10)).map((row) => row.id)).toEqual([first!.id]);
    });

    it('keeps bundle sets by hash, idempotently, and records the set a conversation started on with its first save only', async () => {
      const { store, production } = await open();
      const setOne = [
        { name: 'Returns', version: 'r1', text: 'returns one' },
        { name: 'Refund check', version: 'c1', text: 'check one' },
      ];
      await production.keepBundleSet('set-1', setOne);
      await production.keepBundleSet('set-1', setOne);
      // A later set shares an unchanged Procedure's version.
      await production.keepBundleSet('set-2', [{ name: 'Returns', version: 'r2', text: 'returns two' }, setOne[1]!]);
      expect(await production.bundleSet('set-1')).toEqual([setOne[1], setOne[0]]);
      expect((await production.bundleSet('set-2')).map((procedure) => procedure.version)).toEqual(['c1', 'r2']);
      expect(await production.bundleSet('set-3')).toEqual([]);

      const { id } = await store.conversations.create({ kind: 'production' });
      await production.saveTurn(id, turn('start'), { procedure: null, bundleSet: 'set-1', outbox: [] });
      await production.saveTurn(id, turn('next'), { procedure: 'Returns', bundleSet: 'set-2', outbox: [] });
      expect(await production.productionInfo(id)).toEqual({ production: true, procedure: 'Returns', closedAt: null, bundleSet: 'set-1' });
    });
  });
}
