// What a bundle's connectors ask to do on the importer's machine: run a command, read secrets,
// reach internal hosts (main/connectors/capabilities.ts). `verify` reports it; `import` grants
// only what the importer approves by name, and refuses a bundle naming one of Stepwise's own
// secrets (the model's key), which no approval can give.
import { connectorCapabilities, isReservedSecret, type Capability } from '../connectors/capabilities';
import { secretNames, type ConnectorDefinition } from '../connectors/definition';
import { bundledConnectorSchema, parseBundleEntry } from './format';
import type { VerifiedBundle } from './verify';

export interface BundledConnectorCapabilities {
  /** The connector's name in the bundle. */
  connector: string;
  capabilities: Capability[];
  /** Secrets it names that belong to Stepwise itself; the bundle cannot be imported. */
  reserved: string[];
}

export function bundledConnectors(verified: VerifiedBundle): ConnectorDefinition[] {
  return verified.index.connectors.map((entry) => parseBundleEntry(bundledConnectorSchema, verified.bundle.entries[entry.path]!, entry.path));
}

/** Every connector of the bundle with what it asks for (those asking nothing included, with an empty list). */
export function bundleCapabilities(verified: VerifiedBundle): BundledConnectorCapabilities[] {
  return bundledConnectors(verified).map((connector) => ({
    connector: connector.name,
    capabilities: connectorCapabilities(connector),
    reserved: secretNames(connector).filter(isReservedSecret),
  }));
}

/** Lines for a terminal: each capability the bundle asks for, per connector. */
export function describeBundleCapabilities(list: readonly BundledConnectorCapabilities[]): string[] {
  const lines: string[] = [];
  for (const { connector, capabilities, reserved } of list) {
    for (const name of reserved) lines.push(`  connector "${connector}" names the secret "${name}", which belongs to Stepwise itself: this bundle cannot be imported`);
    for (const capability of capabilities) {
      if (capability.kind === 'secret' && reserved.includes(capability.name)) continue;
      lines.push(`  connector "${connector}" ${capability.description}`);
    }
  }
  return lines;
}
