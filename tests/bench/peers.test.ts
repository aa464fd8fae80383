// The peer bench measures what really happened: its figures are the requests the agents sent (a
// tap on the client side, independent of the fake server's records the bench reads), each agent
// made the calls its script holds and ran the conversation's actions, and a run that strays from
// its script stops with the reason instead of being measured.
import { afterEach, describe, expect, it } from 'vitest';
import { AGENTS, type AgentEntry } from '../../bench/peers/agents';
import { startFakeModelProcess, type FakeModelProcess } from '../../bench/peers/fake-process';
import { runConversation } from '../../bench/peers/measure';
import { installModelClock, type ModelClock } from '../../bench/peers/model-clock';
import { runPeers } from '../../bench/peers/run-peers';
import { probeMemory } from '../../bench/peers/rss';
import { reply, toolCall, type FakeMessage } from '../support/fake-anthropic';
import { benchConnectors, type PeerAgent } from '../../bench/peers/agent';

interface Sent {
  model: string;
  bytes: number;
}

/** Records every request body sent through the global fetch, whichever framework sends it. */
function tapRequests(): { sent: Sent[]; restore(): void } {
  const original = globalThis.fetch;
  const sent: Sent[] = [];
  globalThis.fetch = (input, init) => {
    if (typeof init?.body !== 'string') throw new Error('A model request with a body that is not a string');
    sent.push({ model: (JSON.parse(init.body) as { model: string }).model, bytes: Buffer.byteLength(init.body) });
    return original(input, init);
  };
  return { sent, restore: () => (globalThis.fetch = original) };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('the peer bench', () => {
  it('computes each agent’s calls and request bytes from the requests it really sent, and every agent runs the whole conversation', { timeout: 180_000 }, async () => {
    const tap = tapRequests();
    let result: Awaited<ReturnType<typeof runPeers>>;
    try {
      result = await runPeers({ runs: 1, warmup: 0, memoryConversations: 0 });
    } finally {
      tap.restore();
    }
    for (const entry of AGENTS) {
      const figures = result.figures.find((candidate) => candidate.name === entry.name)!;
      const sent = tap.sent.filter((request) => request.model === entry.model);
      // The script's answers were all used, one per call.
      expect(sent.length).toBe(entry.script.flat().length);
      expect(figures.modelCalls).toBe(sent.length);
      expect(figures.callsPerCustomerTurn).toBeCloseTo(sent.length / 7, 10);
      expect(figures.requestBytes).toBe(sum(sent.map((request) => request.bytes)));
      expect(figures.firstRequestBytes).toBe(sent[0]!.bytes);
      expect(figures.lastRequestBytes).toBe(sent.at(-1)!.bytes);
      // Later requests carry the history: the conversation really went on, and began afresh.
      expect(figures.lastRequestBytes).toBeGreaterThan(figures.firstRequestBytes);
      expect(result.samples.get(entry.name)![0]![0]!.requests[0]!.messages).toBe(1);
      // Requests after the first repeat most of the one before (the prompt and the history so far).
      expect(figures.prefixReuse).toBeGreaterThan(0.5);
      expect(figures.prefixReuse).toBeLessThan(1);
      // Time and CPU were measured, and model time is not counted as overhead.
      const turns = result.samples.get(entry.name)!.flat();
      expect(turns).toHaveLength(7);
      for (const turn of turns) {
        expect(turn.modelMs).toBeGreaterThan(0);
        expect(turn.overheadMs).toBeGreaterThan(0);
        expect(turn.cpuMs).toBeGreaterThan(0);
      }
      // Each agent ran the same actions through its connectors, in order, down to the refund.
      const calls = result.connectors.get(entry.name)!.calls;
      expect(calls.map((call) => call.action)).toEqual(['shop.get_order', 'accounts.send_code', 'accounts.check_code', 'payments.create_refund']);
      expect(calls.find((call) => call.action === 'payments.create_refund')!.input).toMatchObject({ amount: 24 });
    }
    // The peers' second prompt (only the conversation's Procedures) is smaller, and was measured.
    for (const peer of ['LangGraph.js', 'AI SDK'] as const) {
      const narrow = tap.sent.filter((request) => request.model === `${AGENTS.find((entry) => entry.name === peer)!.model}-narrow`);
      expect(result.narrowRequestBytes[peer]).toBe(sum(narrow.map((request) => request.bytes)));
      // A conversation of its own, not the continuation of the first agent's.
      expect(result.narrowSamples.get(peer)![0]!.requests[0]!.messages).toBe(1);
      expect(result.narrowRequestBytes[peer]).toBeLessThan(result.figures.find((figures) => figures.name === peer)!.requestBytes);
    }
  });

  it('measures memory in a probe process that loaded the agent and ran its conversations', { timeout: 120_000 }, async () => {
    const fake = await startFakeModelProcess();
    try {
      const [bare, aiSdk] = await Promise.all([probeMemory(fake, 'bare', 0), probeMemory(fake, 'AI SDK', 2)]);
      expect(bare.calls).toBe(0);
      expect(aiSdk.calls).toBe(2 * AGENTS.find((entry) => entry.name === 'AI SDK')!.script.flat().length);
      expect(aiSdk.own).toBeGreaterThan(50 * 2 ** 20);
      expect(aiSdk.rss).toBeGreaterThanOrEqual(aiSdk.own);
      // The framework and its conversations take memory the bare probe does not.
      expect(aiSdk.own).toBeGreaterThan(bare.own);
    } finally {
      await fake.close();
    }
  });

  describe('a run that strays from its script stops with the reason', () => {
    let fake: FakeModelProcess | undefined;
    let clock: ModelClock | undefined;
    afterEach(async () => {
      clock?.uninstall();
      await fake?.close();
    });
    const aiSdk = AGENTS.find((entry) => entry.name === 'AI SDK')!;
    const attempt = async (entry: AgentEntry) => {
      clock = installModelClock();
      fake = await startFakeModelProcess();
      const connectors = benchConnectors();
      const agent = await entry.create({ url: fake.url, model: entry.model, connectors, dir: '/nonexistent' });
      return runConversation({ entry, agent, connectors }, { server: fake, clock });
    };

    it('an agent that calls the model more often than scripted', async () => {
      const short = [aiSdk.script[0]!.slice(0, 1), ...aiSdk.script.slice(1)];
      await expect(attempt({ ...aiSdk, script: short })).rejects.toThrow(/AI SDK, turn 1 .*: 1 model call\(s\) beyond the script/);
    });

    it('an agent that calls the model less often than scripted', async () => {
      const long = [aiSdk.script[0]!, [...aiSdk.script[1]!, reply('An answer nobody asks for.')], ...aiSdk.script.slice(2)];
      await expect(attempt({ ...aiSdk, script: long })).rejects.toThrow(/AI SDK, turn 2 .*: 1 scripted answer\(s\) never asked for/);
    });

    it('Stepwise refusing a call the script makes (a script out of step with the runtime)', { timeout: 60_000 }, async () => {
      const stepwise = AGENTS.find((entry) => entry.name === 'Stepwise')!;
      const [first, ...rest] = stepwise.script;
      const last = first!.at(-1) as FakeMessage;
      const bogus: FakeMessage = { ...last, content: [{ type: 'tool_use', name: 'no_such_tool', input: {} }, ...last.content] };
      const script = [[...first!.slice(0, -1), bogus], ...rest];
      let agent: PeerAgent | undefined;
      try {
        clock = installModelClock();
        fake = await startFakeModelProcess();
        const connectors = benchConnectors();
        agent = await stepwise.create({ url: fake.url, model: stepwise.model, connectors, dir: '/nonexistent' });
        await expect(runConversation({ entry: { ...stepwise, script }, agent, connectors }, { server: fake, clock })).rejects.toThrow(/Stepwise, turn 1 .*refused the script's .*no_such_tool/);
      } finally {
        await agent?.close();
      }
    });

    it('an agent that runs another action than the conversation’s (a replacement instead of the refund)', async () => {
      const script = aiSdk.script.map((turn, index) => (index === 5 ? [toolCall('shop__create_replacement', {}), turn.at(-1)!] : turn));
      await expect(attempt({ ...aiSdk, script })).rejects.toThrow(
        'AI SDK: the conversation ran shop.get_order, accounts.send_code, accounts.check_code, shop.create_replacement; it should run shop.get_order, accounts.send_code, accounts.check_code, payments.create_refund',
      );
    });

    it('an agent whose reply is not the scripted one', async () => {
      const replies = ['Something else entirely.', ...aiSdk.replies.slice(1)];
      await expect(attempt({ ...aiSdk, replies })).rejects.toThrow(/AI SDK, turn 1 .*: replied "Sorry to hear that! What exactly is damaged\?", the script says "Something else entirely\."/);
    });
  });
});
