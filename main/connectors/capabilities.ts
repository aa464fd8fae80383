// What a connector can do beyond calling a public address: run a command on this machine (an MCP
// server over stdio), read a secret from the secret store, reach internal (private, loopback)
// addresses. Each is a capability that runs only once the local user granted it (docs/bundles.md).
//
// A capability carries its exact scope: the command line, or the hosts a secret is sent to, or the
// hosts allowed to be internal. A grant covers a capability only if it has the same scope, so a
// definition that changes later (a replaced import, say) must be approved again. Pure decisions:
// the grants themselves live in the workspace (main/store/connector-grants.ts).
import { stepwiseCommand } from '../../shared/shell-quote';
import type { ConnectorGrant, GrantKind } from '../store/connector-grants';
import { secretNames, type ConnectorDefinition } from './definition';

export interface Capability {
  kind: GrantKind;
  /** The secret's name; '' for a command or internal hosts. */
  name: string;
  /** Exactly what is asked for; a grant must have the same scope to cover it. */
  scope: string;
  /** For a person: what the connector would be allowed to do. */
  description: string;
}

export type GrantLike = Pick<ConnectorGrant, 'kind' | 'name' | 'scope'>;

/** Tells which grants a connector has (by name); a connector with none can run nothing that needs one. */
export type GrantLookup = (connector: string) => readonly GrantLike[];

/**
 * Secrets that belong to Stepwise itself: the model's key (`model.…`) and the bundle-signing key
 * (`stepwise.…`). No connector ever reads them, whatever it is granted.
 */
export function isReservedSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('model.') || lower.startsWith('stepwise.');
}

export function reservedSecretMessage(connector: string, name: string): string {
  return `Connector "${connector}" names the secret "${name}", which belongs to Stepwise itself (${name.toLowerCase().startsWith('model.') ? "the model's key" : 'its own keys'}); a connector never reads it.`;
}

/** Every capability the definition asks for, in a stable order: command, secrets, internal hosts. */
export function connectorCapabilities(connector: ConnectorDefinition): Capability[] {
  const capabilities: Capability[] = [];
  const hosts = connectorHosts(connector);
  if (connector.kind === 'mcp' && connector.transport.type === 'stdio') {
    const scope = commandScope(connector.transport);
    capabilities.push({ kind: 'command', name: '', scope, description: `runs the command ${describeCommand(connector.transport)} on this machine` });
    for (const name of unique(secretNames(connector))) {
      const variables = Object.entries(connector.transport.env)
        .filter(([, value]) => typeof value !== 'string' && value.secret === name)
        .map(([variable]) => variable);
      capabilities.push({ kind: 'secret', name, scope: `command:${scope}`, description: `reads the secret "${name}" and gives it to that command (as ${variables.join(', ')})` });
    }
  } else {
    for (const name of unique(secretNames(connector))) {
      capabilities.push({ kind: 'secret', name, scope: `hosts:${hosts.join(',')}`, description: `reads the secret "${name}" and sends it to ${hosts.join(', ')}` });
    }
  }
  if (connector.allowInternalHosts && hosts.length > 0) {
    capabilities.push({
      kind: 'internal-hosts',
      name: '',
      scope: hosts.join(','),
      description: `may reach internal addresses (private networks, this machine) at ${hosts.join(', ')}`,
    });
  }
  return capabilities;
}

/** The capabilities of the definition that no grant covers (same kind, name and scope). */
export function missingGrants(connector: ConnectorDefinition, grants: readonly GrantLike[]): Capability[] {
  return connectorCapabilities(connector).filter((capability) => !covers(grants, capability));
}

export function covers(grants: readonly GrantLike[], capability: Capability): boolean {
  return grants.some((grant) => grant.kind === capability.kind && grant.name === capability.name && grant.scope === capability.scope);
}

/** The `stepwise connectors approve …` command line that grants these capabilities. */
export function approvalCommand(connector: string, capabilities: readonly Capability[]): string {
  // Each flag once (a secret sent to two hosts is two capabilities but one --secret).
  const flags = new Map<string, string[]>();
  for (const capability of capabilities) {
    const flag = capability.kind === 'command' ? ['--command'] : capability.kind === 'secret' ? ['--secret', capability.name] : ['--internal-hosts'];
    flags.set(flag.join(' '), flag);
  }
  // Quoted like every printed command, so it pastes as typed whatever the names hold (a bundle's
  // connector is named by whoever signed it).
  return stepwiseCommand(['connectors', 'approve', connector, ...[...flags.values()].flat()]);
}

/** Why a connector may not run, naming each missing approval and the command that gives it. */
export function notApprovedMessage(connector: string, missing: readonly Capability[]): string {
  const what = missing.map((capability) => capability.description).join('; it ');
  return `Connector "${connector}" is not approved in this workspace: it ${what}, and nobody here has approved that. Review it (${stepwiseCommand(['connectors', 'show', connector])}) and approve it with: ${approvalCommand(connector, missing)} --workspace <file>.`;
}

/** Hosts a connector calls, lower case, sorted: baseUrl's and allowedHosts, or an MCP server's URL. */
export function connectorHosts(connector: ConnectorDefinition): string[] {
  if (connector.kind === 'http') return unique([new URL(connector.baseUrl).hostname, ...connector.allowedHosts].map((host) => host.toLowerCase())).sort();
  if (connector.transport.type === 'http') return [new URL(connector.transport.url).hostname.toLowerCase()];
  return [];
}

type StdioTransport = Extract<Extract<ConnectorDefinition, { kind: 'mcp' }>['transport'], { type: 'stdio' }>;

/** The command line as one canonical string: program, arguments, working folder and environment. */
function commandScope(transport: StdioTransport): string {
  const env = Object.keys(transport.env)
    .sort()
    .map((name) => [name, transport.env[name]]);
  return JSON.stringify({ command: transport.command, args: transport.args, cwd: transport.cwd ?? null, env });
}

/** `node server.js --root '/srv/my files'` (in /srv; environment ROOT=/srv, TOKEN=<secret token>) */
export function describeCommand(transport: StdioTransport): string {
  const line = [transport.command, ...transport.args].map(shellQuote).join(' ');
  const env = Object.entries(transport.env).map(([name, value]) => `${name}=${typeof value === 'string' ? shellQuote(value) : `<secret ${value.secret}>`}`);
  const details = [...(transport.cwd ? [`in ${shellQuote(transport.cwd)}`] : []), ...(env.length > 0 ? [`environment ${env.join(' ')}`] : [])];
  return `\`${line}\`${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
