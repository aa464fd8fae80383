// The publish gate in the app: before a draft goes live, the engine's warnings (no simulations,
// failing or stale ones, the starter's placeholders) are shown in a dialog that asks to confirm;
// "Open simulations" goes there instead. Nothing to warn about: no dialog.
import type { ApiClient } from '../../../shared/api';
import { navigate } from '../app/navigation';
import { askChoice } from '../ui';

export async function confirmPublish(api: ApiClient, name: string): Promise<boolean> {
  const { warnings } = await api['simulations.publishWarnings']({ procedure: name });
  if (warnings.length === 0) return true;
  const choice = await askChoice(`Publish "${name}" anyway?`, warnings.map((warning) => `• ${warning.message}`).join('\n'), [
    { id: 'cancel', label: 'Cancel' },
    { id: 'simulations', label: 'Open simulations' },
    { id: 'publish', label: 'Publish anyway', danger: true },
  ]);
  if (choice === 'simulations') await navigate({ screen: 'simulations', name });
  return choice === 'publish';
}
