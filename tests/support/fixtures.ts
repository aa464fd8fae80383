// The one set-up for tests that need the Python sandbox or the fake Messages API. Each is started
// through here and closed by a hook, so a test that fails (or throws before its own clean-up) never
// leaves a server listening or interpreters running.
//
//   const sandbox = useSandbox();            // one per file, closed after its last test
//   const startFake = useFakeAnthropic();    // closed after the test that started it
//   it('…', async () => { const fake = await startFake([reply('Hi')]); … });
//
// Call both at the top level of a test file (or of a helper module it imports), where Vitest
// collects hooks.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createPythonSandbox, type PythonSandbox, type SandboxOptions } from '../../main/sandbox';
import type { CodeSandbox } from '../../main/sandbox/types';
import { startFakeAnthropic, type FakeAnthropic, type Script } from './fake-anthropic';

/**
 * The file's Python sandbox: started before its first test (warming in the background), closed
 * after its last. What it returns forwards to that sandbox, so it can be handed out at once.
 */
export function useSandbox(options: SandboxOptions = { poolSize: 1 }): CodeSandbox {
  let sandbox: PythonSandbox | undefined;
  beforeAll(() => {
    sandbox = createPythonSandbox(options);
  });
  afterAll(async () => {
    const running = sandbox;
    sandbox = undefined;
    await running?.close();
  });
  const current = (): PythonSandbox => {
    if (!sandbox) throw new Error('useSandbox(): the sandbox runs only while the file’s tests do');
    return sandbox;
  };
  return {
    check: (code, mode) => current().check(code, mode),
    evaluate: (request) => current().evaluate(request),
    tryIt: (request) => current().tryIt(request),
    close: () => current().close(),
  };
}

export type StartFakeAnthropic = (script?: Script) => Promise<FakeAnthropic>;

/**
 * Starts fake Messages API servers. One started by a test (or its beforeEach) is closed after that
 * test; one started by a beforeAll, after the file's last test. Closing one early is fine.
 */
export function useFakeAnthropic(): StartFakeAnthropic {
  const forTest: FakeAnthropic[] = [];
  const forFile: FakeAnthropic[] = [];
  let inTest = false;
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    await closeAll(forTest);
  });
  afterAll(() => closeAll(forFile));
  return async (script) => {
    const fake = await startFakeAnthropic(script);
    (inTest ? forTest : forFile).push(fake);
    return fake;
  };
}

async function closeAll(servers: FakeAnthropic[]): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
}
