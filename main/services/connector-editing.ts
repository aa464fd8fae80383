// What the connectors screen needs of the connector engine beyond ConnectorService: saves from the
// editor (a new connector approved by the act, an edit gaining no approval), the secret names a
// definition uses, and OpenAPI documents read, listed and previewed, each failure a ServiceError.
import { secretNames, type ConnectorDefinition } from '../connectors/definition';
import { GrantError, saveAuthoredConnector, saveEditedConnector } from '../connectors/grants';
import { importOpenApi, listOperations, OpenApiImportError, readOpenApi, type OperationSummary } from '../connectors/openapi-import';
import type { OpenApiDocument } from '../connectors/openapi-schema';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';

export { secretNames };

/** Runs `work` (sync or async), turning the connector engine's expected refusals into 'invalid' ServiceErrors. */
export function refusalsAsInvalid<T>(work: () => T): T {
  try {
    const result = work();
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asInvalid(error))) : result) as T;
  } catch (error) {
    throw asInvalid(error);
  }
}

function asInvalid(error: unknown): unknown {
  return error instanceof GrantError || error instanceof OpenApiImportError ? new ServiceError('invalid', error.message) : error;
}

/** Saves a definition from the editor; the store parses it with the engine's schema, so nothing invalid is written. */
export function saveFromEditor(workspace: Workspace, definition: unknown, grantedBy: string): ConnectorDefinition {
  const name = (definition as { name?: unknown } | null)?.name;
  const exists = typeof name === 'string' && workspace.connectors.get(name) !== null;
  return refusalsAsInvalid(() => (exists ? saveEditedConnector(workspace, definition, grantedBy) : saveAuthoredConnector(workspace, definition, grantedBy)));
}

export function readOpenApiText(text: string): OpenApiDocument {
  return refusalsAsInvalid(() => readOpenApi(text, 'The file'));
}

export function openApiOperations(text: string): OperationSummary[] {
  return listOperations(readOpenApiText(text));
}

/** The connector an import would save (new, or `name` with the operations added), without saving it. */
export function previewOpenApiImport(workspace: Workspace, document: OpenApiDocument, options: { name: string; operations: string[]; baseUrl?: string }): { connector: ConnectorDefinition; warnings: string[] } {
  const existing = workspace.connectors.get(options.name);
  if (existing && existing.kind !== 'http') throw new ServiceError('invalid', `"${options.name}" is an MCP server; import OpenAPI operations into an HTTP connector.`);
  return refusalsAsInvalid(() => importOpenApi(document, { ...options, ...(existing ? { existing } : {}) }));
}
