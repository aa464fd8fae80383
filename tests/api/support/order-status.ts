// The workspace the preview and simulations API tests share: the "Order status" Procedure as a
// draft, on the crm connector, and model settings that point at the fake Messages API.
import type { TestEngine } from '../helpers';
import { crm, models, ORDER } from '../preview-fixtures';

export const PROCEDURE = 'Order status';

export interface OrderStatusOptions {
  /** The fake Messages API's URL, where every model call goes. */
  baseURL: string;
  /** Whether the settings carry an API key (without one, a model call is refused with `no-model`). */
  apiKey?: boolean;
  /** The connector in place of `crm` (a variant of it, say with a mock handler); the store checks it. */
  connector?: unknown;
}

export async function setUpOrderStatus(api: TestEngine, { baseURL, apiKey = true, connector = crm }: OrderStatusOptions): Promise<void> {
  api.workspace.connectors.save(connector);
  await api.call('procedures.create', { name: PROCEDURE });
  await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER });
  await api.call('settings.save', { provider: 'anthropic', baseURL, models, ...(apiKey ? { apiKey: 'sk-test-key' } : {}) });
}
