// `stepwise draft`, `stepwise improve` and `stepwise simulations generate` end to end, against the
// fake Messages API through the environment.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { generationTargets } from '../../main/authoring/simulation-generator';
import { NO_MODEL } from '../../main/cli/model-args';
import { runCli } from '../../main/cli/run';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { toolCall } from '../support/fake-anthropic';
import { useModelServers, type ModelServer } from '../simulations/helpers';

const startModelServer = useModelServers();
let server: ModelServer | undefined;
afterEach(async () => {
  server = undefined;
});

async function setup(): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-author-'));
  const file = join(dir, 'shop.stepwise');
  expect(await runCli(['workspace', 'init', file, '--example'], captureIo(dir))).toBe(0);
  return { dir, file };
}

const io = (dir: string, url: string, stdin: string[] = []) => ({ ...captureIo(dir), stdin: Readable.from(stdin), env: { ANTHROPIC_API_KEY: 'sk-author', ANTHROPIC_BASE_URL: url } });

const PROCEDURE = (action: string) => `---
name: Order status
trigger: The customer asks where their order is.
attributes:
  order_number: string
---

## Look it up
Collect {order_number} and look it up with ${action}. Tell them the status.
`;

describe('stepwise draft', () => {
  it('without a model says how to configure one in one line and exits 1, not with the usage text', async () => {
    const { dir, file } = await setup();
    writeFileSync(join(dir, 'outline.txt'), 'Order status: get the order number, look it up, tell them.');
    const out = { ...captureIo(dir), env: {} };
    expect(await runCli(['draft', '--outline', 'outline.txt', '--workspace', file], out)).toBe(1);
    expect(out.stderr()).toBe(`${NO_MODEL}\n`);
    expect(out.stdout()).toBe('');
  });

  it('prints a draft repaired until it passes validate, and saves it with --save', async () => {
    const { dir, file } = await setup();
    writeFileSync(join(dir, 'outline.txt'), 'Order status: get the order number, look it up, tell them.');
    writeFileSync(join(dir, 'chat.txt'), 'customer: where is my stuff?');
    let calls = 0;
    server = await startModelServer(() => toolCall('write_procedure', { text: PROCEDURE(calls++ === 0 ? '@shop.find_order' : '@shop.get_order'), summary: 'Looks the order up.' }));
    const out = io(dir, server.fake.url);
    const code = await runCli(['draft', '--outline', 'outline.txt', '--transcript', 'chat.txt', '--article', 'Shipping times and tracking', '--workspace', file, '--save'], out);
    expect(out.stderr()).toContain('Drafted "Order status", after 1 repair from validate\'s diagnostics. Looks the order up.');
    expect(code).toBe(0);
    expect(out.stdout()).toBe(PROCEDURE('@shop.get_order'));
    const workspace = Workspace.open(file);
    expect(workspace.procedures.require('Order status').draftText).toBe(PROCEDURE('@shop.get_order'));
    workspace.close();
    const request = JSON.stringify(server.fake.requests[0]!.body.messages);
    expect(request).toContain('where is my stuff?');
    expect(request).toContain('Shipping times and tracking');
  });

  it('exits 1, shows what is wrong and saves nothing when the repairs run out', async () => {
    const { dir, file } = await setup();
    writeFileSync(join(dir, 'outline.txt'), 'Order status.');
    server = await startModelServer(() => toolCall('write_procedure', { text: PROCEDURE('@shop.find_order'), summary: '' }));
    const out = io(dir, server.fake.url);
    expect(await runCli(['draft', '--outline', 'outline.txt', '--workspace', file, '--save', '--max-repairs', '1'], out)).toBe(1);
    expect(out.stderr()).toContain('The draft still does not pass validate after 1 repair:');
    expect(out.stderr()).toContain('[error unknown-action]');
    expect(server.fake.requests).toHaveLength(2);
    const workspace = Workspace.open(file);
    expect(workspace.procedures.get('Order status')).toBeNull();
    workspace.close();
  });
});

describe('stepwise improve', () => {
  it('shows the diff and applies it only when the user says yes', async () => {
    const { dir, file } = await setup();
    const workspace = Workspace.open(file);
    const before = workspace.procedures.require('Refund request').draftText;
    workspace.close();
    const after = before.replace(/\n$/, '\nThank them for their patience.\n');
    server = await startModelServer(() => toolCall('write_procedure', { text: after, summary: 'Adds a thank-you.' }));

    const declined = io(dir, server.fake.url, ['n\n']);
    expect(await runCli(['improve', '--workspace', file, '--procedure', 'Refund request', '--feedback', 'Thank them at the end.'], declined)).toBe(0);
    expect(declined.stdout()).toContain('Proposed change to "Refund request" (+1 −0): Adds a thank-you.');
    expect(declined.stdout()).toContain('+Thank them for their patience.');
    expect(declined.stdout()).toContain('Not applied.');
    const unchanged = Workspace.open(file);
    expect(unchanged.procedures.require('Refund request').draftText).toBe(before);
    unchanged.close();

    const accepted = io(dir, server.fake.url, ['y\n']);
    expect(await runCli(['improve', '--workspace', file, '--procedure', 'Refund request', '--feedback', 'Thank them at the end.'], accepted)).toBe(0);
    expect(accepted.stdout()).toContain('Applied to "Refund request" (its draft).');
    const changed = Workspace.open(file);
    expect(changed.procedures.require('Refund request').draftText).toBe(after);
    changed.close();
  });
});

describe('stepwise simulations generate', () => {
  it('proposes simulations for every target and saves them with --save', async () => {
    const { dir, file } = await setup();
    const workspace = Workspace.open(file);
    const targets = generationTargets(workspace.procedures.require('Damaged order claim').draftText);
    workspace.close();
    const simulations = targets.flatMap((target) => Array.from({ length: target.min }, (_, index) => ({ target: target.id, name: `${target.kind} ${index + 1} ${target.id}`, definition: { customer: { persona: `For ${target.id}` } } })));
    server = await startModelServer(() => toolCall('propose_simulations', { simulations }));
    const out = io(dir, server.fake.url);
    expect(await runCli(['simulations', 'generate', '--procedure', 'Damaged order claim', '--workspace', file, '--save'], out)).toBe(0);
    expect(out.stdout()).toContain('step:resolve/cond1/b2: branch 1 step:resolve/cond1/b2 — For step:resolve/cond1/b2');
    expect(out.stdout()).toContain('Saved 10 simulations for "Damaged order claim", tagged "generated".');
    const saved = Workspace.open(file);
    expect(saved.simulations.list('Damaged order claim').filter((simulation) => simulation.definition.tags.includes('generated'))).toHaveLength(10);
    saved.close();
  });
});
