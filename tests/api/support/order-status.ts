// The workspace the preview and simulations API tests share: the "Order status" Procedure as a
// draft, on the crm connector, and model settings that point at the fake Messages API.
import type { FakeAnthropic, Script } from '../../support/fake-anthropic';
import { useFakeAnthropic } from '../../support/fixtures';
import { useEngine, type TestEngine } from '../helpers';
import { crm, models, ORDER } from '../preview-fixtures';

export const PROCEDURE = 'Order status';

export interface OrderStatusOptions {
  /** Whether the settings carry an API key (without one, a model call is refused with `no-model`). */
  apiKey?: boolean;
  /** The connector in place of `crm` (a variant of it, say with a mock handler); the store checks it. */
  connector?: unknown;
  /** Run a real Python sandbox, as the app does (a mock handler needs it). */
  python?: boolean;
}

/**
 * Call where Vitest collects hooks (a file's top level or a describe block). Returns `open`: a
 * fresh engine on the Order status workspace, its models played by a fake running `script`; both
 * are closed after the test.
 */
export function useOrderStatusWorkspace(): (script: Script, options?: OrderStatusOptions) => Promise<{ api: TestEngine; fake: FakeAnthropic }> {
  const startFake = useFakeAnthropic();
  const engine = useEngine();
  return async (script, { apiKey = true, connector = crm, python = false } = {}) => {
    const fake = await startFake(script);
    const api = engine({ python });
    api.workspace.connectors.save(connector);
    await api.call('procedures.create', { name: PROCEDURE });
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER });
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, ...(apiKey ? { apiKey: 'sk-test-key' } : {}) });
    return { api, fake };
  };
}
