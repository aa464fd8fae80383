// The production tests' shared set-up (useShop in helpers.ts): each test gets its own folder,
// signer and signed bundle; a server it starts is closed after it (closing it first is fine), and
// the folder is removed. The tests run in order: the second checks what the first left behind.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, useShop } from './helpers';

const startFake = useFakeAnthropic();

describe('useShop', () => {
  const shop = useShop([GREETING_PROCEDURE()]);
  const first: { dir?: string; url?: string } = {};

  it('gives a test a signed bundle of its Procedures and a server on it', async () => {
    first.dir = shop.dir;
    expect(existsSync(shop.bundle)).toBe(true);
    const fake = await startFake([toolCall('route', { procedure: 'Greeting', reason: 'hello' }), toolCalls(['reply', { message: 'Hello!' }])]);
    const server = await shop.serve(fake);
    first.url = server.url;
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    expect(await (await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi' } })).json()).toMatchObject({ replies: ['Hello!'] });
    // A server closed by the test is not closed twice.
    const second = await shop.serve(fake, { database: `${shop.dir}/second.sqlite` });
    await second.close();
    await second.close();
  });

  it('closed the last test\'s server and removed its folder, and gives this one a new shop', async () => {
    expect(first.dir).toBeDefined();
    expect(existsSync(first.dir!)).toBe(false);
    await expect(fetch(`${first.url}/v1/health`)).rejects.toThrow();
    expect(shop.dir).not.toBe(first.dir);
    expect(existsSync(shop.bundle)).toBe(true);
    expect(shop.signer.publicKeyFile.startsWith(shop.dir)).toBe(true);
  });
});
