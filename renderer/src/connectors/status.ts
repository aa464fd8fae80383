// A connector's status in one line, as the list shows it: what stops it first.
import type { ConnectorView } from '../../../shared/api';
import type { BadgeTone } from '../ui';

export function connectorStatus(view: ConnectorView): { label: string; tone: BadgeTone; detail: string } {
  const missing = view.secrets.filter((secret) => !secret.present).map((secret) => secret.name);
  if (missing.length > 0) return { label: 'secrets missing', tone: 'warning', detail: `No value stored for ${missing.join(', ')}: it runs mocked only.` };
  if (view.lastTry && !view.lastTry.ok) return { label: 'last try failing', tone: 'warning', detail: `@${view.lastTry.action} (${view.lastTry.mode}): ${view.lastTry.error ?? 'failed'}` };
  if (view.pending.length > 0) return { label: 'needs approval', tone: 'draft', detail: `Not approved: it ${view.pending.map((capability) => capability.description).join('; ')}.` };
  if (view.lastTry) return { label: 'last try OK', tone: 'success', detail: `@${view.lastTry.action} (${view.lastTry.mode}) succeeded.` };
  return { label: 'not tried', tone: 'neutral', detail: 'Not tried in this session.' };
}
