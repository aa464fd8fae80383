// `stepwise connectors …`: list, show and add connector definitions, import actions from OpenAPI,
// pick an MCP server's tools, store a secret, approve or revoke what a connector may do (run its
// command, read a secret, reach internal hosts), and try an action live or mocked. The rules are
// the connector service's (main/services/connectors.ts); this reads arguments and prints.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { nounFor, plural } from '../../../shared/plural';
import { approvalCommand } from '../../connectors/capabilities';
import { secretNames } from '../../connectors/definition';
import { GrantError, type ApprovalRequest } from '../../connectors/grants';
import { listOperations, readOpenApi } from '../../connectors/openapi-import';
import { formatTryResult } from '../../connectors/try-action';
import { ConnectorService, emptyApprovalMessage } from '../../services/connectors';
import { ServiceError } from '../../services/errors';
import { parseCommandArgs, UsageError, type Command } from '../io';
import { withSession, type CliSession } from '../session';
import { requireWorkspacePath, secretStoreFor } from '../workspace-args';

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

const service = (session: CliSession) => new ConnectorService({ workspace: session.workspace, secrets: session.secrets, sandbox: session.sandbox });

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
    const session = <T>(work: (connectors: ConnectorService, session: CliSession) => Promise<T> | T) =>
      withSession(values.workspace, io, (opened) => asUsageError(() => work(service(opened), opened)));
    switch (action) {
      case 'list':
        return session((connectors) => {
          const listed = connectors.list();
          if (values.json) {
            io.out(
              JSON.stringify(
                listed.map(({ connector, pending }) => ({
                  name: connector.name,
                  kind: connector.kind,
                  actions: connector.actions.map((entry) => entry.name),
                  secrets: secretNames(connector),
                  needsApproval: pending.map((capability) => capability.description),
                })),
                null,
                2,
              ),
            );
          } else if (listed.length === 0) io.out('No connectors.');
          else {
            for (const { connector, pending } of listed) {
              const where = connector.kind === 'http' ? connector.baseUrl : connector.transport.type === 'stdio' ? `MCP over stdio: ${connector.transport.command}` : `MCP over HTTP: ${connector.transport.url}`;
              io.out(`${connector.name}  (${where})`);
              for (const entry of connector.actions) io.out(`  @${connector.name}.${entry.name}${entry.confirm ? '  [confirm]' : ''}${entry.mocks ? '  [mocked]' : ''}`);
              if (pending.length > 0) io.out(`  not approved to run live: it ${pending.map((capability) => capability.description).join('; it ')} (${approvalCommand(connector.name, pending)})`);
            }
          }
          return 0;
        });
      case 'show': {
        const name = needArgument('connector');
        return session((connectors) => {
          const connector = connectors.find(name);
          if (!connector) throw new UsageError(`There is no connector "${name}".`);
          io.out(JSON.stringify(connector, null, 2));
          return 0;
        });
      }
      case 'add': {
        const raw = readDefinition(resolve(io.cwd, needArgument('definition file')));
        return session((connectors) => {
          // Adding it is the author's approval of what it asks for.
          const { saved, approved } = connectors.add(raw, 'added with connectors add');
          const secrets = secretNames(saved);
          io.out(`Saved connector "${saved.name}" with ${plural(saved.actions.length, 'action')}${secrets.length > 0 ? `; it needs the ${nounFor(secrets.length, 'secret')} ${secrets.join(', ')}` : ''}.`);
          for (const capability of approved.filter((entry) => entry.kind !== 'secret')) io.out(`Approved as you added it: it ${capability.description}.`);
          return 0;
        });
      }
      case 'import-openapi': {
        const file = resolve(io.cwd, needArgument('OpenAPI file'));
        const document = readOpenApi(readText(file), file);
        if (!values.operations) {
          const operations = listOperations(document);
          io.out(`${operations.length} operations in ${file}; import some with --operations id,id:`);
          for (const operation of operations) io.out(`  ${operation.id.padEnd(32)} ${operation.method} ${operation.path}${operation.summary ? `  ${operation.summary}` : ''}${operation.deprecated ? '  (deprecated)' : ''}`);
          return 0;
        }
        const name = values.connector;
        if (!name) throw new UsageError('Name the connector to import into with --connector <name>.');
        const operations = values.operations.split(',').map((entry) => entry.trim()).filter(Boolean);
        return session((connectors) => {
          const { saved, warnings } = connectors.importOpenApi(document, { name, operations, ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}) }, 'imported from OpenAPI with connectors import-openapi');
          for (const warning of warnings) io.err(`warning: ${warning}`);
          io.out(`Imported ${plural(values.operations!.split(',').length, 'operation')} into "${saved.name}": ${saved.actions.map((entry) => `@${saved.name}.${entry.name}`).join(', ')}.`);
          const secrets = secretNames(saved);
          if (secrets.length > 0) io.out(`It needs the ${nounFor(secrets.length, 'secret')} ${secrets.join(', ')} (connectors secret <name> --from-env VAR).`);
          io.out('Review each action\'s responseFields: the model sees only those fields.');
          return 0;
        });
      }
      case 'mcp-tools': {
        const name = needArgument('MCP server');
        const allow = values.allow?.split(',').map((entry) => entry.trim()).filter(Boolean);
        return session(async (connectors) => {
          const { tools, allowed, saved } = await connectors.mcpTools(name, allow);
          if (!saved) {
            io.out(`${tools.length} tools on "${name}" (allowed ones marked *); allow some with --allow tool,tool:`);
            for (const tool of tools) io.out(`  ${allowed.has(tool.name) ? '*' : ' '} ${tool.name.padEnd(30)} ${tool.description.replace(/\s+/g, ' ').slice(0, 100)}`);
          } else io.out(`Procedures may now use ${saved.actions.map((entry) => `@${name}.${entry.name}`).join(', ')}.`);
          return 0;
        });
      }
      case 'secret': {
        const name = needArgument('secret');
        const variable = values['from-env'];
        if (!variable) throw new UsageError('Give the value through an environment variable: --from-env <VARIABLE> (never on the command line, where other users can see it).');
        const value = (io.env ?? process.env)[variable];
        if (!value) throw new UsageError(`The environment variable ${variable} is not set or is empty.`);
        if (!values.connector) {
          // A secret for no connector in particular needs nothing from the workspace.
          await secretStoreFor(path).set(name, value);
          io.out(`Stored the secret "${name}" for ${path}.`);
          return 0;
        }
        return session(async (connectors) => {
          const capability = await connectors.storeBoundSecret(name, value, values.connector!);
          io.out(`Stored the secret "${name}" for ${path}; connector "${values.connector}" ${capability.description}.`);
          return 0;
        });
      }
      case 'approve':
      case 'revoke': {
        const name = needArgument('connector');
        const request: Required<ApprovalRequest> = { command: values.command, secrets: values.secret ?? [], internalHosts: values['internal-hosts'] };
        return session((connectors) => {
          if (!request.command && request.secrets.length === 0 && !request.internalHosts) throw new UsageError(emptyApprovalMessage(name, action, connectors.approvalStatus(name)));
          if (action === 'approve') {
            for (const capability of connectors.approve(name, request, 'connectors approve')) io.out(`Approved: connector "${name}" ${capability.description}.`);
          } else {
            for (const { capability, removed } of connectors.revoke(name, request)) io.out(`${removed ? 'Revoked' : 'Was not approved'}: connector "${name}" ${capability.description}.`);
          }
          return 0;
        });
      }
      case 'try': {
        const name = needArgument('action, as connector.action');
        const input = values.input === undefined ? {} : parseInput(values.input);
        return session(async (connectors) => {
          const result = await connectors.try(name, input, { mock: values.mock, ...(values.world ? { world: values.world } : {}) });
          io.out(values.json ? JSON.stringify(result, null, 2) : formatTryResult(result));
          return result.ok ? 0 : 1;
        });
      }
      default:
        throw new UsageError(action ? `Unknown connectors action "${action}".` : 'Say what to do: list, show, add, import-openapi, mcp-tools, secret, approve, revoke or try.');
    }
  },
};

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

function readDefinition(file: string): unknown {
  const text = readText(file);
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input is not JSON: ${(error as Error).message}`);
  }
}

/** What the service refuses on purpose (an unknown connector, a capability it does not ask for) is a mistake in how the command was called. */
async function asUsageError<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GrantError || error instanceof ServiceError) throw new UsageError(error.message);
    throw error;
  }
}

