// `stepwise chat` end to end: an example workspace, mocked connectors, the fake Messages API.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { usageLine } from '../../main/cli/commands/chat';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { fault, toolCall, toolCalls, type FakeAnthropic } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { repoRoot } from '../support/paths';

const startFakeAnthropic = useFakeAnthropic();
let fake: FakeAnthropic | undefined;

async function exampleWorkspace(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'stepwise-chat-')), 'shop.stepwise');
  expect(await runCli(['workspace', 'init', file, '--example'], captureIo(repoRoot))).toBe(0);
  return file;
}

describe("chat's usage line", () => {
  const usage = { modelCalls: 1, inputTokens: 1_200, outputTokens: 34, costUsd: 0 };
  it('says the cost is not known when the agent\'s model has no price, never $0.0000', () => {
    expect(usageLine(usage, { models: { agent: 'local-7b', customer: 'x', judge: 'x', author: 'x' }, prices: {} })).toBe('1 model call, 1,234 tokens, cost not known (no price set for local-7b).');
  });
  it('prints a priced cost in dollars', () => {
    const price = { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0, cacheWritePerMTok: 0 };
    expect(usageLine({ ...usage, modelCalls: 2, costUsd: 0.0234 }, { models: { agent: 'm', customer: 'm', judge: 'm', author: 'm' }, prices: { m: price } })).toBe('2 model calls, 1,234 tokens, $0.0234.');
  });
});

describe('stepwise chat', () => {
  it('talks to the agent line by line, printing replies and a compact trace', async () => {
    const file = await exampleWorkspace();
    fake = await startFakeAnthropic([
      toolCall('route', { procedure: 'Damaged order claim', reason: 'Broken kettle.' }),
      toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
      toolCalls(['reply', { message: 'I found order 1043. What exactly is damaged?' }]),
      toolCalls(['reply', { message: 'Let me pass you to a colleague.' }], ['escalate', { reason: 'stuck', summary: 'Needs a person.' }]),
    ]);
    const io = { ...captureIo(repoRoot), stdin: Readable.from(['My order 1043 arrived broken\n', 'The glass is cracked\n']), env: { ANTHROPIC_API_KEY: 'sk-chat-test', ANTHROPIC_BASE_URL: fake.url } };
    const code = await runCli(['chat', '--workspace', file, '--mock'], io);
    expect(code).toBe(0);
    const out = io.stdout();
    expect(out).toContain('  · route → Damaged order claim');
    // The Procedure's words, not its internal ids.
    expect(out).toContain('  · step “Find the order”');
    expect(out).not.toMatch(/step:/);
    expect(out).toContain('  · order_number = "1043" (customer)');
    expect(out).toMatch(/ {2}· shop__get_order ok \d+ ms/);
    expect(out).toContain('agent: I found order 1043. What exactly is damaged?');
    expect(out).toContain('[escalated to Support team: stuck]');
    expect(out).toMatch(/^4 model calls, [\d,]+ tokens, \$\d+\.\d+\.$/m);
    // The conversation and the world it ended with are kept in the workspace.
    const workspace = Workspace.open(file);
    const [conversation] = workspace.conversations.list({ kind: 'preview' });
    expect(workspace.conversations.messages(conversation!.id).map((m) => m.role)).toEqual(['customer', 'agent', 'customer', 'agent']);
    expect(workspace.traces.events(conversation!.id).some((event) => event.type === 'connector_call')).toBe(true);
    workspace.close();
  });

  it('keeps the conversation through a model response cut mid-way, and carries on when the model is back', async () => {
    const file = await exampleWorkspace();
    // The first call's response is cut after 120 bytes, every time (the try and two retries).
    fake = await startFakeAnthropic((_request, index) =>
      index < 3
        ? fault('drop', { afterBytes: 120 })
        : index === 3
          ? toolCall('route', { procedure: 'Damaged order claim', reason: 'Broken kettle.' })
          : toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['reply', { message: 'Sorry about that! Let me look up order 1043.' }]),
    );
    const io = { ...captureIo(repoRoot), stdin: Readable.from(['My order 1043 arrived broken\n', 'Are you there?\n']), env: { ANTHROPIC_API_KEY: 'sk-chat-test', ANTHROPIC_BASE_URL: fake.url } };
    const code = await runCli(['chat', '--workspace', file, '--mock'], io);
    expect(io.stderr()).not.toContain('chat failed');
    expect(code).toBe(0);
    const out = io.stdout();
    expect(out).toMatch(/ {2}· model response broke off \(dropped\): retrying in \d+ ms/);
    expect(out).toMatch(/\[handed off to Support team: model unavailable: The model's response broke off \(dropped\) \(3 attempts\)/);
    expect(out).toContain('[the model is unavailable; write again to carry on where the conversation stopped]');
    expect(out).toContain('customer: Are you there?');
    expect(out).toContain('  · resumed after the model outage');
    expect(out).toContain('agent: Sorry about that! Let me look up order 1043.');
    // The routing call, once the model was back, saw both messages.
    expect(JSON.stringify(fake.requests[3]!.body.messages)).toContain('My order 1043 arrived broken');
    const workspace = Workspace.open(file);
    const [conversation] = workspace.conversations.list({ kind: 'preview' });
    expect(workspace.conversations.messages(conversation!.id).map((m) => [m.role, m.content])).toEqual([
      ['customer', 'My order 1043 arrived broken'],
      ['agent', expect.stringContaining('member of our team')],
      ['customer', 'Are you there?'],
      ['agent', 'Sorry about that! Let me look up order 1043.'],
    ]);
    expect(workspace.traces.events(conversation!.id).find((event) => event.type === 'model_outage')!.payload).toMatchObject({ fault: 'dropped' });
    workspace.close();
  });

  it('says how to configure a model when none is', async () => {
    const file = await exampleWorkspace();
    const io = { ...captureIo(repoRoot), stdin: Readable.from([]), env: {} };
    expect(await runCli(['chat', '--workspace', file], io)).toBe(1);
    expect(io.stderr()).toContain('set ANTHROPIC_API_KEY');
    expect(io.stderr()).not.toContain('Usage:');
  });
});
