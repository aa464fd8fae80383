// `stepwise connectors …`: list, show and add connector definitions, import actions from OpenAPI,
// pick an MCP server's tools, store a secret, approve or revoke what a connector may do (run its
// command, read a secret, reach internal hosts), and try an action live or mocked.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { secretNames, type ConnectorDefinition, type HttpConnector } from '../../connectors/definition';
import { approvalCommand } from '../../connectors/capabilities';
import { approvalStatus, grant, GrantError, saveAuthoredConnector, saveEditedConnector, selectCapabilities, type ApprovalRequest } from '../../connectors/grants';
import { allowTools } from '../../connectors/mcp-tools';
import { importOpenApi, listOperations, readOpenApi } from '../../connectors/openapi-import';
import { formatTryResult, tryAction } from '../../connectors/try-action';
import { workspaceConnectors } from '../../connectors/workspace-connectors';
import { createPythonSandbox, type CodeSandbox, type PythonSandbox } from '../../sandbox';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import type { Workspace } from '../../store/workspace';
import { requireWorkspacePath, secretStoreFor, withWorkspace } from '../workspace-args';

const USAGE = [
  'connectors list --workspace <file> [--json]',
  'connectors show <name> --workspace <file>',
  'connectors add <definition.json|.yaml> --workspace <file>',
  'connectors import-openapi <spec.json|.yaml> --workspace <file> --connector <name> [--operations id,id] [--base-url <url>]',
  'connectors mcp-tools <server> --workspace <file> [--allow tool,tool]',
  'connectors secret <name> --workspace <file> --from-env <VARIABLE> [--connector <name>]',
  'connectors approve|revoke <connector> --workspace <file> [--command] [--secret <name>]… [--internal-hosts]',
  'connectors try <connector.action> --workspace <file> [--input <json>] [--mock [--world <name>]] [--json]',
].join('\n       ');

export const connectorsCommand: Command = {
  name: 'connectors',
  summary: 'Connectors and MCP servers: list, add, import from OpenAPI, pick MCP tools, set secrets, approve what they may do, try an action live or mocked',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      json: { type: 'boolean', default: false },
      connector: { type: 'string' },
      operations: { type: 'string' },
      'base-url': { type: 'string' },
      allow: { type: 'string' },
      'from-env': { type: 'string' },
      input: { type: 'string' },
      mock: { type: 'boolean', default: false },
      world: { type: 'string' },
      command: { type: 'boolean', default: false },
      secret: { type: 'string', multiple: true },
      'internal-hosts': { type: 'boolean', default: false },
    });
    const [action, argument, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`Unexpected arguments: ${rest.join(' ')}.`);
    const path = requireWorkspacePath(values.workspace, io);
    const needArgument = (what: string) => {
      if (!argument) throw new UsageError(`Name the ${what}.`);
      return argument;
    };
    switch (action) {
      case 'list':
        return withWorkspace(path, io, (workspace) => {
          const connectors = workspace.connectors.list();
          if (values.json) {
            io.out(
              JSON.stringify(
                connectors.map((connector) => ({
                  name: connector.name,
                  kind: connector.kind,
                  actions: connector.actions.map((entry) => entry.name),
                  secrets: secretNames(connector),
                  needsApproval: pendingApprovals(workspace, connector).map((capability) => capability.description),
                })),
                null,
                2,
              ),
            );
          } else if (connectors.length === 0) io.out('No connectors.');
          else {
            for (const connector of connectors) {
              const where = connector.kind === 'http' ? connector.baseUrl : connector.transport.type === 'stdio' ? `MCP over stdio: ${connector.transport.command}` : `MCP over HTTP: ${connector.transport.url}`;
              io.out(`${connector.name}  (${where})`);
              for (const entry of connector.actions) io.out(`  @${connector.name}.${entry.name}${entry.confirm ? '  [confirm]' : ''}${entry.mocks ? '  [mocked]' : ''}`);
              const pending = pendingApprovals(workspace, connector);
              if (pending.length > 0) io.out(`  not approved to run live: it ${pending.map((capability) => capability.description).join('; it ')} (${approvalCommand(connector.name, pending)})`);
            }
          }
          return 0;
        });
      case 'show':
        return withWorkspace(path, io, (workspace) => {
          const connector = workspace.connectors.get(needArgument('connector'));
          if (!connector) throw new UsageError(`There is no connector "${argument}".`);
          io.out(JSON.stringify(connector, null, 2));
          return 0;
        });
      case 'add': {
        const file = resolve(io.cwd, needArgument('definition file'));
        const raw = readDefinition(file);
        return withWorkspace(path, io, (workspace) => {
          // Adding it is the author's approval of what it asks for.
          const saved = asUsageError(() => saveAuthoredConnector(workspace, raw, 'added with connectors add'));
          io.out(`Saved connector "${saved.name}" with ${saved.actions.length} action${saved.actions.length === 1 ? '' : 's'}${secretNames(saved).length > 0 ? `; it needs the secret${secretNames(saved).length === 1 ? '' : 's'} ${secretNames(saved).join(', ')}` : ''}.`);
          const approved = approvalStatus(workspace, saved).filter((entry) => entry.capability.kind !== 'secret');
          for (const { capability } of approved) io.out(`Approved as you added it: it ${capability.description}.`);
          return 0;
        });
      }
      case 'import-openapi':
        return importCommand(path, resolve(io.cwd, needArgument('OpenAPI file')), values, io);
      case 'mcp-tools':
        return mcpToolsCommand(path, needArgument('MCP server'), values.allow, io);
      case 'secret': {
        const name = needArgument('secret');
        const variable = values['from-env'];
        if (!variable) throw new UsageError('Give the value through an environment variable: --from-env <VARIABLE> (never on the command line, where other users can see it).');
        const value = (io.env ?? process.env)[variable];
        if (!value) throw new UsageError(`The environment variable ${variable} is not set or is empty.`);
        if (!values.connector) {
          await secretStoreFor(path).set(name, value);
          io.out(`Stored the secret "${name}" for ${path}.`);
          return 0;
        }
        // Storing it for a connector also binds it to that connector: the binding is checked first, so nothing is stored for a connector that may not have it.
        return withWorkspace(path, io, async (workspace) => {
          const connector = requireConnector(workspace, values.connector!);
          const capabilities = asUsageError(() => selectCapabilities(connector, { secrets: [name] }));
          await secretStoreFor(path).set(name, value);
          grant(workspace, connector, capabilities, 'connectors secret');
          io.out(`Stored the secret "${name}" for ${path}; connector "${connector.name}" ${capabilities[0]!.description}.`);
          return 0;
        });
      }
      case 'approve':
      case 'revoke':
        return approveCommand(path, action, needArgument('connector'), { command: values.command, secrets: values.secret ?? [], internalHosts: values['internal-hosts'] }, io);
      case 'try':
        return tryCommand(path, needArgument('action, as connector.action'), values, io);
      default:
        throw new UsageError(action ? `Unknown connectors action "${action}".` : 'Say what to do: list, show, add, import-openapi, mcp-tools, secret, approve, revoke or try.');
    }
  },
};

function readDefinition(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
}

async function importCommand(path: string, file: string, values: { connector?: string; operations?: string; 'base-url'?: string; json?: boolean }, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const document = readOpenApi(text, file);
  if (!values.operations) {
    const operations = listOperations(document);
    io.out(`${operations.length} operations in ${file}; import some with --operations id,id:`);
    for (const operation of operations) io.out(`  ${operation.id.padEnd(32)} ${operation.method} ${operation.path}${operation.summary ? `  ${operation.summary}` : ''}${operation.deprecated ? '  (deprecated)' : ''}`);
    return 0;
  }
  const name = values.connector;
  if (!name) throw new UsageError('Name the connector to import into with --connector <name>.');
  return withWorkspace(path, io, (workspace) => {
    const existing = workspace.connectors.get(name);
    if (existing && existing.kind !== 'http') throw new UsageError(`"${name}" is an MCP server; import OpenAPI operations into an HTTP connector.`);
    const { connector, warnings } = importOpenApi(document, {
      name,
      operations: values.operations!.split(',').map((entry) => entry.trim()).filter(Boolean),
      ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
      ...(existing ? { existing: existing as HttpConnector } : {}),
    });
    const saved = asUsageError(() => saveEditedConnector(workspace, connector, 'imported from OpenAPI with connectors import-openapi'));
    for (const warning of warnings) io.err(`warning: ${warning}`);
    io.out(`Imported ${values.operations!.split(',').length} operation(s) into "${saved.name}": ${saved.actions.map((entry) => `@${saved.name}.${entry.name}`).join(', ')}.`);
    const secrets = secretNames(saved);
    if (secrets.length > 0) io.out(`It needs the secret${secrets.length === 1 ? '' : 's'} ${secrets.join(', ')} (connectors secret <name> --from-env VAR).`);
    io.out('Review each action\'s responseFields: the model sees only those fields.');
    return 0;
  });
}

async function mcpToolsCommand(path: string, name: string, allow: string | undefined, io: CliIo): Promise<number> {
  return withWorkspace(path, io, async (workspace) => {
    const server = workspace.connectors.get(name);
    if (!server || server.kind !== 'mcp') throw new UsageError(`There is no MCP server "${name}" (add one with connectors add).`);
    // Through the same gate as every live call: an MCP server nobody approved is not started.
    const runtime = workspaceConnectors(workspace, { mode: 'live', secrets: secretStoreFor(path) });
    try {
      const tools = await runtime.connection(server).listTools();
      if (!allow) {
        const allowed = new Set(server.actions.map((entry) => entry.tool ?? entry.name));
        io.out(`${tools.length} tools on "${name}" (allowed ones marked *); allow some with --allow tool,tool:`);
        for (const tool of tools) io.out(`  ${allowed.has(tool.name) ? '*' : ' '} ${tool.name.padEnd(30)} ${tool.description.replace(/\s+/g, ' ').slice(0, 100)}`);
        return 0;
      }
      const actions = allowTools(server, tools, allow.split(',').map((entry) => entry.trim()).filter(Boolean));
      const saved = workspace.connectors.save({ ...server, actions });
      io.out(`Procedures may now use ${saved.actions.map((entry) => `@${name}.${entry.name}`).join(', ')}.`);
      return 0;
    } finally {
      await runtime.close();
    }
  });
}

async function approveCommand(path: string, action: 'approve' | 'revoke', name: string, request: Required<ApprovalRequest>, io: CliIo): Promise<number> {
  return withWorkspace(path, io, (workspace) => {
    const connector = requireConnector(workspace, name);
    const status = approvalStatus(workspace, connector);
    if (!request.command && request.secrets.length === 0 && !request.internalHosts) {
      const lines = status.map(({ capability, approved }) => `  ${approved ? 'approved' : 'NOT approved'}: it ${capability.description}`);
      throw new UsageError(
        status.length === 0
          ? `Connector "${name}" asks for nothing to approve: it runs no command, reads no secret and reaches no internal host.`
          : `Say what to ${action} with --command, --secret <name> or --internal-hosts. Connector "${name}":\n${lines.join('\n')}`,
      );
    }
    const capabilities = asUsageError(() => selectCapabilities(connector, request));
    if (action === 'approve') {
      grant(workspace, connector, capabilities, 'connectors approve');
      for (const capability of capabilities) io.out(`Approved: connector "${name}" ${capability.description}.`);
    } else {
      for (const capability of capabilities) {
        const removed = workspace.connectorGrants.revoke(name, capability.kind, capability.name);
        io.out(`${removed ? 'Revoked' : 'Was not approved'}: connector "${name}" ${capability.description}.`);
      }
    }
    return 0;
  });
}

function requireConnector(workspace: Workspace, name: string): ConnectorDefinition {
  const connector = workspace.connectors.get(name);
  if (!connector) throw new UsageError(`There is no connector "${name}" (see connectors list).`);
  return connector;
}

function pendingApprovals(workspace: Workspace, connector: ConnectorDefinition) {
  return approvalStatus(workspace, connector)
    .filter((entry) => !entry.approved)
    .map((entry) => entry.capability);
}

/** A capability that cannot be granted is a mistake in how the command was called. */
function asUsageError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof GrantError) throw new UsageError(error.message);
    throw error;
  }
}

async function tryCommand(path: string, action: string, values: { input?: string; mock?: boolean; world?: string; json?: boolean }, io: CliIo): Promise<number> {
  let input: unknown = {};
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch (error) {
      throw new UsageError(`--input is not JSON: ${(error as Error).message}`);
    }
  }
  return withWorkspace(path, io, async (workspace) => {
    const [connectorName, actionName] = [action.slice(0, action.indexOf('.')), action.slice(action.indexOf('.') + 1)];
    const definition = workspace.connectors.get(connectorName);
    const entry = definition?.actions.find((candidate) => candidate.name === actionName);
    if (!definition || !entry) throw new UsageError(`There is no action @${action} in this workspace (see connectors list).`);
    // Started only when a mock handler actually runs (a bad input never needs it).
    let sandbox: PythonSandbox | null = null;
    const lazySandbox: CodeSandbox = {
      check: (code, mode) => (sandbox ??= createPythonSandbox({ poolSize: 1 })).check(code, mode),
      evaluate: (request) => (sandbox ??= createPythonSandbox({ poolSize: 1 })).evaluate(request),
      tryIt: (request) => (sandbox ??= createPythonSandbox({ poolSize: 1 })).tryIt(request),
      close: async () => sandbox?.close(),
    };
    const connectors = workspaceConnectors(workspace, {
      mode: values.mock ? 'mock' : 'live',
      secrets: secretStoreFor(path),
      keepWorlds: false,
      ...(values.mock && entry.mocks?.handler ? { sandbox: lazySandbox } : {}),
      ...(values.world ? { world: values.world } : {}),
    });
    try {
      const result = await tryAction(connectors, action, input);
      io.out(values.json ? JSON.stringify(result, null, 2) : formatTryResult(result));
      return result.ok ? 0 : 1;
    } finally {
      await connectors.close();
      await lazySandbox.close();
    }
  });
}
