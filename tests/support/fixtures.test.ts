// The shared test fixtures tear down by hooks: a fake model server started by a test is gone once
// that test ends, even when it fails; one started by a beforeAll lives until the file ends; the
// sandbox runs only while the file's tests do.
import { beforeAll, describe, expect, it } from 'vitest';
import { reply } from './fake-anthropic';
import { useFakeAnthropic, useSandbox } from './fixtures';

const startFake = useFakeAnthropic();
const sandbox = useSandbox();

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{}', signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe('useFakeAnthropic', () => {
  let fileServer = '';
  beforeAll(async () => {
    fileServer = (await startFake([reply('kept')])).url;
  });

  let failedTestServer = '';
  it.fails('(a test that fails after starting a server)', async () => {
    failedTestServer = (await startFake([reply('Hi')])).url;
    expect(await answers(failedTestServer)).toBe(true);
    throw new Error('this test fails on purpose, before any clean-up of its own');
  });

  it('closed the server of the test that failed', async () => {
    expect(failedTestServer).not.toBe('');
    expect(await answers(failedTestServer)).toBe(false);
  });

  it("keeps a beforeAll's server across tests", async () => {
    expect(await answers(fileServer)).toBe(true);
  });

  it('lets a test close its server early', async () => {
    const fake = await startFake([]);
    await fake.close();
    expect(await answers(fake.url)).toBe(false);
  });
});

describe('useSandbox', () => {
  it('forwards to a running Python sandbox', async () => {
    await expect(sandbox.check('1 +', 'condition')).resolves.not.toEqual([]);
  });
});
