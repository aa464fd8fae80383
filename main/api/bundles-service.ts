// The bundles screen's calls over the bundle service (main/services/bundles.ts); an import
// announces the Procedures it wrote as `procedures.changed`.
import type { CallArgs, CallOutput } from '../../shared/api';
import type { SecretStore } from '../secrets/secret-store';
import { BundleService } from '../services/bundles';
import type { Workspace } from '../store/workspace';
import type { EventHub } from './events';
import type { PythonChecker } from './language-service';

export function bundleHandlers(deps: { workspace: Workspace; hub: EventHub; secrets: SecretStore; python: PythonChecker | null }) {
  // The import gate checks Python the bundle puts live with the same sandbox check as publishing.
  const service = new BundleService(deps.workspace, deps.secrets, deps.python ? { check: deps.python } : null);
  return {
    'bundles.keys': (): Promise<CallOutput<'bundles.keys'>> => service.keys(),
    'bundles.trustKey': ({ publicKey, label }: CallArgs<'bundles.trustKey'>): CallOutput<'bundles.trustKey'> => service.trust(publicKey, label),
    'bundles.untrustKey': ({ fingerprint }: CallArgs<'bundles.untrustKey'>): Promise<CallOutput<'bundles.untrustKey'>> => service.untrust(fingerprint),
    'bundles.export': (choice: CallArgs<'bundles.export'>): Promise<CallOutput<'bundles.export'>> => service.export(choice),
    'bundles.inspect': ({ text }: CallArgs<'bundles.inspect'>): Promise<CallOutput<'bundles.inspect'>> => service.inspect(text),
    'bundles.import': async (input: CallArgs<'bundles.import'>): Promise<CallOutput<'bundles.import'>> => {
      const report = await service.import(input);
      const names = report.items.filter((item) => item.kind === 'procedure' && ['created', 'replaced', 'renamed'].includes(item.outcome)).map((item) => item.as ?? item.name);
      if (names.length > 0) deps.hub.emit('procedures.changed', { names, reason: 'created' });
      return report;
    },
  };
}
