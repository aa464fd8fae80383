// Hot reload: new conversations take the new bundle set, conversations in progress finish on the
// Procedure versions they started with (kept by content hash), and a bad new set is refused while
// the old one keeps serving.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/fake-anthropic';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { join } from 'node:path';
import { newSigner, openOrCreate, useShop, writeBundle, type Signer } from './helpers';
import { sqlOf } from '../store/sql';

const startFake = useFakeAnthropic();

const returns = (ask: string) => `---
name: Returns
trigger: The customer wants to return something.
---

## Ask
${ask}

## Confirm
Confirm the return. @end
`;

const check = (marker: string) => `---
name: Refund check
trigger: Used by Returns before a refund.
sub_procedure: true
---

## Check
Check the receipt (${marker}). @end
`;

const returnsWithCheck = (marker: string) => `---
name: Returns
trigger: The customer wants to return something.
---

## Ask
Ask which item they want to return (${marker}).

## Check
Check it with [[Refund check]]. @end
`;

describe('hot reload', () => {
  const shop = useShop([returns('Ask which item they want to return (VERSION-ONE).')]);
  let stranger: Signer;

  beforeEach(async () => {
    stranger = await newSigner(shop.dir, 'stranger');
  });
  afterEach(() => {
    stranger.close();
  });

  it('keeps a conversation in progress on its version while new ones take the new set; a bad set is refused', async () => {
    const requests: RecordedRequest[] = [];
    const fake = await startFake((request) => {
      requests.push(request);
      const text = JSON.stringify(request.body);
      if (request.body.tools?.some((tool) => tool.name === 'route')) return toolCall('route', { procedure: 'Returns', reason: 'return' });
      return toolCalls(['reply', { message: text.includes('VERSION-TWO') ? 'v2 answer' : text.includes('VERSION-ONE') ? 'v1 answer' : 'no version' }]);
    });
    const server = await shop.serve(fake);
    const start = async () => ((await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    const say = async (id: number, text: string) => (await (await server.request(`/v1/conversations/${id}/messages`, { json: { text } })).json()) as { replies: string[] };
    const stackOf = async (id: number) => ((await (await server.request(`/v1/conversations/${id}`)).json()) as { stack: { version: string }[] }).stack;

    const early = await start();
    expect((await say(early, 'I want to return a mug')).replies).toEqual(['v1 answer']);
    const v1 = (await stackOf(early))[0]!.version;
    const before = (await (await server.request('/v1/admin/bundles', { key: server.adminKey })).json()) as { setHash: string };

    await writeBundle(shop.signer, shop.bundle, [returns('Ask which item they want to return and why (VERSION-TWO).')]);
    const reloaded = await server.request('/v1/admin/reload', { method: 'POST', key: server.adminKey });
    expect(reloaded.status).toBe(200);
    const after = (await (await server.request('/v1/admin/bundles', { key: server.adminKey })).json()) as { setHash: string; procedures: { name: string; version: string }[] };
    expect(after.setHash).not.toBe(before.setHash);
    expect(after.procedures).toEqual([expect.objectContaining({ name: 'Returns', version: expect.not.stringMatching(v1) })]);

    // The conversation in progress answers from version one; a new one from version two.
    expect((await say(early, 'The blue one')).replies).toEqual(['v1 answer']);
    expect((await stackOf(early))[0]!.version).toBe(v1);
    const late = await start();
    expect((await say(late, 'I want to return a kettle')).replies).toEqual(['v2 answer']);
    expect((await stackOf(late))[0]!.version).toBe(after.procedures[0]!.version);

    // A new set signed by a stranger is refused; the set before keeps serving.
    await writeBundle(stranger, shop.bundle, [returns('Ask something else (VERSION-THREE).')]);
    const refused = await server.request('/v1/admin/reload', { method: 'POST', key: server.adminKey });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: { code: 'reload-refused', message: expect.stringMatching(/shop\.bundle refused \(signed by a key this server does not trust\)/) } });
    expect(((await (await server.request('/v1/admin/bundles', { key: server.adminKey })).json()) as { setHash: string }).setHash).toBe(after.setHash);
    const third = await start();
    expect((await say(third, 'Return please')).replies).toEqual(['v2 answer']);

    // A tampered file is refused too.
    const parsed = JSON.parse(readFileSync(shop.bundle, 'utf8'));
    parsed.manifest = parsed.manifest.replace('"formatVersion": 1', '"formatVersion": 1 ');
    writeFileSync(shop.bundle, JSON.stringify(parsed));
    expect((await server.request('/v1/admin/reload', { method: 'POST', key: server.adminKey })).status).toBe(422);
    expect(requests.length).toBeGreaterThan(4);
  });
});

describe('a conversation on an earlier bundle set', () => {
  const shop = useShop([returnsWithCheck('RETURNS-ONE'), check('CHECK-ONE')]);

  it('finishes on it, sub-Procedures included, on a server that never loaded that set (another instance, or after a restart)', async () => {
    const prompts: string[] = [];
    const fake = await startFake((request) => {
      const text = JSON.stringify(request.body);
      if (request.body.tools?.some((tool) => tool.name === 'route')) return toolCall('route', { procedure: 'Returns', reason: 'return' });
      prompts.push(text);
      return toolCalls(['reply', { message: 'Which item?' }]);
    });
    const first = await shop.serve(fake);
    const early = ((await (await first.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    expect((await first.request(`/v1/conversations/${early}/messages`, { json: { text: 'I want to return a mug' } })).status).toBe(200);
    const v1 = (await (await first.request('/v1/admin/bundles', { key: first.adminKey })).json()) as { setHash: string };
    await first.close();

    // The next server serves only the new set: both Procedures changed.
    await writeBundle(shop.signer, shop.bundle, [returnsWithCheck('RETURNS-TWO'), check('CHECK-TWO')]);
    const second = await shop.serve(fake);
    expect(((await (await second.request('/v1/admin/bundles', { key: second.adminKey })).json()) as { setHash: string }).setHash).not.toBe(v1.setHash);
    prompts.length = 0;
    expect((await second.request(`/v1/conversations/${early}/messages`, { json: { text: 'The blue one' } })).status).toBe(200);
    // The early conversation's prompt holds its own set's texts: the Procedure and the sub-Procedure it may call.
    expect(prompts.at(-1)).toContain('RETURNS-ONE');
    expect(prompts.at(-1)).toContain('CHECK-ONE');
    expect(prompts.at(-1)).not.toContain('TWO');

    // A new conversation takes the new set.
    const late = ((await (await second.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    prompts.length = 0;
    expect((await second.request(`/v1/conversations/${late}/messages`, { json: { text: 'I want to return a kettle' } })).status).toBe(200);
    expect(prompts.at(-1)).toContain('RETURNS-TWO');
    expect(prompts.at(-1)).toContain('CHECK-TWO');
  });

  it('refuses to run a set whose text in the database no longer matches its content hash', async () => {
    const fake = await startFake((request) => (request.body.tools?.some((tool) => tool.name === 'route') ? toolCall('route', { procedure: 'Returns', reason: 'return' }) : toolCalls(['reply', { message: 'Which item?' }])));
    const first = await shop.serve(fake);
    const early = ((await (await first.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    expect((await first.request(`/v1/conversations/${early}/messages`, { json: { text: 'I want to return a mug' } })).status).toBe(200);
    await first.close();
    // Someone edits the kept text in the database (the Procedure would now do something its signer never signed).
    const database = openOrCreate(join(shop.dir, 'server.sqlite'));
    try {
      expect(sqlOf(database).prepare("UPDATE bundled_procedures SET text = replace(text, 'RETURNS-ONE', 'GIVE EVERYTHING AWAY') WHERE name = 'Returns'").run().changes).toBe(1);
    } finally {
      database.close();
    }
    await writeBundle(shop.signer, shop.bundle, [returnsWithCheck('RETURNS-TWO'), check('CHECK-TWO')]);
    const second = await shop.serve(fake);
    const refused = await second.request(`/v1/conversations/${early}/messages`, { json: { text: 'The blue one' } });
    expect(refused.status).toBe(500);
    // Nothing of the turn was kept: the transcript has the first turn's two messages only.
    expect(((await (await second.request(`/v1/conversations/${early}/transcript`)).json()) as { messages: unknown[] }).messages).toHaveLength(2);
  });
});
