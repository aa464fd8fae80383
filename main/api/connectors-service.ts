// The connectors screen's calls over the connectors domain service (main/services/connectors.ts):
// listings with who uses each action and which secrets are stored, saves checked by the engine's
// own schema, secrets set by name (never read back), tries, OpenAPI imports and MCP tool lists.
import type { CallArgs, CallOutput, ConnectorView } from '../../shared/api';
import { procedureFacts } from '../procedures/text';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import { openApiOperations, previewOpenApiImport, readOpenApiText, refusalsAsInvalid, saveFromEditor, secretNames } from '../services/connector-editing';
import { ConnectorService, splitActionName } from '../services/connectors';
import { ServiceError } from '../services/errors';
import type { Workspace } from '../store/workspace';
import { maskSecretValues } from './connectors-masking';

export interface ConnectorApiDeps {
  workspace: Workspace;
  secrets: SecretStore;
  /** Runs Python mock handlers for "try"; null when no sandbox runs. */
  sandbox: CodeSandbox | null;
}

type ConnectorDefinition = ReturnType<ConnectorService['require']>;
type TryStatus = NonNullable<ConnectorView['lastTry']>;
const GRANTED_BY = 'the connectors screen';

export function connectorHandlers(deps: ConnectorApiDeps) {
  const service = new ConnectorService({ workspace: deps.workspace, secrets: deps.secrets, ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) });
  // The last try of each connector, for its status; kept for this session of the app.
  const lastTries = new Map<string, TryStatus>();

  /** `connector.action` → the Procedures whose draft names it. */
  function actionUsers(): Map<string, string[]> {
    const users = new Map<string, string[]>();
    for (const record of deps.workspace.procedures.list()) {
      for (const action of procedureFacts(record.draftText).actions) users.set(action, [...(users.get(action) ?? []), record.name]);
    }
    return users;
  }

  async function view(connector: ConnectorDefinition, users = actionUsers(), stored?: Set<string>): Promise<ConnectorView> {
    const present = stored ?? new Set(await deps.secrets.names());
    const pending = service.approvalStatus(connector.name).filter((entry) => !entry.approved).map((entry) => entry.capability);
    return {
      name: connector.name,
      kind: connector.kind,
      description: connector.description,
      definition: connector as unknown as Record<string, unknown>,
      actions: connector.actions.map((action) => ({ name: action.name, description: action.description, confirm: action.confirm ?? false, usedBy: users.get(`${connector.name}.${action.name}`) ?? [] })),
      secrets: [...new Set(secretNames(connector))].map((name) => ({ name, present: present.has(name) })),
      pending: pending.map(({ kind, name, description }) => ({ kind, name, description })),
      lastTry: lastTries.get(connector.name) ?? null,
    };
  }

  function requireConnector(name: string): ConnectorDefinition {
    return service.require(name);
  }

  return {
    'connectors.list': async (): Promise<CallOutput<'connectors.list'>> => {
      const users = actionUsers();
      const stored = new Set(await deps.secrets.names());
      return Promise.all(deps.workspace.connectors.list().map((connector) => view(connector, users, stored)));
    },

    'connectors.save': async ({ definition, create }: CallArgs<'connectors.save'>): Promise<CallOutput<'connectors.save'>> => {
      const name = (definition as { name?: unknown } | null)?.name;
      if (create && typeof name === 'string' && deps.workspace.connectors.get(name)) throw new ServiceError('conflict', `There is already a connector "${name}": choose another name, or edit that one.`);
      return view(saveFromEditor(deps.workspace, definition, GRANTED_BY));
    },

    'connectors.approve': async ({ name, capabilities }: CallArgs<'connectors.approve'>): Promise<CallOutput<'connectors.approve'>> => {
      const request = {
        command: capabilities.some((capability) => capability.kind === 'command'),
        secrets: capabilities.filter((capability) => capability.kind === 'secret').map((capability) => capability.name),
        internalHosts: capabilities.some((capability) => capability.kind === 'internal-hosts'),
      };
      refusalsAsInvalid(() => service.approve(name, request, GRANTED_BY));
      return view(requireConnector(name));
    },

    'connectors.delete': ({ name }: CallArgs<'connectors.delete'>): CallOutput<'connectors.delete'> => {
      const connector = requireConnector(name);
      const users = actionUsers();
      const usedBy = [...new Set(connector.actions.flatMap((action) => users.get(`${name}.${action.name}`) ?? []))];
      if (usedBy.length > 0) throw new ServiceError('conflict', `Connector "${name}" is used by ${usedBy.map((procedure) => `"${procedure}"`).join(', ')}: remove its actions from them first.`);
      deps.workspace.transaction(() => {
        for (const grant of deps.workspace.connectorGrants.list(name)) deps.workspace.connectorGrants.revoke(name, grant.kind, grant.name);
        deps.workspace.connectors.delete(name);
      });
      lastTries.delete(name);
      return { ok: true };
    },

    'connectors.setSecret': async ({ connector, name, value }: CallArgs<'connectors.setSecret'>): Promise<CallOutput<'connectors.setSecret'>> => {
      const definition = requireConnector(connector);
      if (!secretNames(definition).includes(name)) throw new ServiceError('invalid', `Connector "${connector}" does not name the secret "${name}"; set its auth to use it first.`);
      await refusalsAsInvalid(() => service.storeBoundSecret(name, value, connector));
      return { name, present: true };
    },

    'connectors.deleteSecret': async ({ name }: CallArgs<'connectors.deleteSecret'>): Promise<CallOutput<'connectors.deleteSecret'>> => {
      const named = deps.workspace.connectors.list().some((connector) => secretNames(connector).includes(name));
      // Only a connector's secrets: Stepwise's own (the model key) are managed in Settings.
      if (!named) throw new ServiceError('not-found', `No connector names the secret "${name}".`);
      await deps.secrets.delete(name);
      return { name, present: false };
    },

    'connectors.try': async ({ action, input, mode, world }: CallArgs<'connectors.try'>): Promise<CallOutput<'connectors.try'>> => {
      if (world !== undefined && !deps.workspace.worlds.get(world)) throw new ServiceError('not-found', `There is no mock world "${world}" in this workspace.`);
      const parts = splitActionName(action);
      const result = await service.try(action, input, { mock: mode === 'mock', ...(world ? { world } : {}) });
      if (parts) lastTries.set(parts.connector, { ok: result.ok, action, mode: result.mode, at: new Date().toISOString(), error: result.error });
      // The runtime redacts already; this is the last check before anything leaves the engine.
      const definition = parts ? deps.workspace.connectors.get(parts.connector) : null;
      const values = definition ? await Promise.all(secretNames(definition).map((name) => deps.secrets.get(name))) : [];
      return maskSecretValues(result, values.filter((value): value is string => value !== null)) as CallOutput<'connectors.try'>;
    },

    'connectors.openApiOperations': ({ document }: CallArgs<'connectors.openApiOperations'>): CallOutput<'connectors.openApiOperations'> => {
      return openApiOperations(document);
    },

    'connectors.importOpenApi': ({ document, name, operations, baseUrl, preview }: CallArgs<'connectors.importOpenApi'>): CallOutput<'connectors.importOpenApi'> => {
      const parsed = readOpenApiText(document);
      const options = { name, operations, ...(baseUrl ? { baseUrl } : {}) };
      if (preview) {
        const { connector, warnings } = previewOpenApiImport(deps.workspace, parsed, options);
        return { definition: connector as unknown as Record<string, unknown>, warnings, saved: false };
      }
      const { saved, warnings } = refusalsAsInvalid(() => service.importOpenApi(parsed, options, GRANTED_BY));
      return { definition: saved as unknown as Record<string, unknown>, warnings, saved: true };
    },

    'connectors.worlds': (): CallOutput<'connectors.worlds'> => deps.workspace.worlds.list(),

    'connectors.world': ({ name }: CallArgs<'connectors.world'>): CallOutput<'connectors.world'> => {
      const stored = deps.workspace.worlds.get(name);
      if (!stored) throw new ServiceError('not-found', `There is no mock world "${name}".`);
      return { name: stored.name, description: stored.description, world: stored.world };
    },

    'connectors.saveWorld': ({ name, description, world }: CallArgs<'connectors.saveWorld'>): CallOutput<'connectors.saveWorld'> => {
      // The store checks the world (a JSON object) and the name before writing anything.
      const saved = deps.workspace.worlds.save(name, world, description);
      return { name: saved.name, description: saved.description, updatedAt: saved.updatedAt };
    },

    'connectors.runWorld': ({ conversationId }: CallArgs<'connectors.runWorld'>): CallOutput<'connectors.runWorld'> => {
      const final = deps.workspace.worlds.final(conversationId);
      const startedFrom = final?.startedFrom ?? null;
      const initial = startedFrom ? (deps.workspace.worlds.get(startedFrom)?.world ?? null) : null;
      return { conversationId, startedFrom, initial, final: final?.world ?? null };
    },

    'connectors.mcpTools': async ({ name, allow }: CallArgs<'connectors.mcpTools'>): Promise<CallOutput<'connectors.mcpTools'>> => {
      requireConnector(name);
      try {
        const { tools, allowed } = await service.mcpTools(name, allow);
        return { state: 'connected', error: null, tools: tools.map((tool) => ({ ...tool, allowed: allowed.has(tool.name) })) };
      } catch (error) {
        if (error instanceof ServiceError) throw error;
        return { state: 'failed', error: error instanceof Error ? error.message : String(error), tools: [] };
      }
    },
  };
}
