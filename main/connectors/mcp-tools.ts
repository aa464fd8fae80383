// Turns the tools an MCP server lists into the actions of its allow-list. Each allowed tool keeps
// the server's description and input schema (so previews and mocks work with the server stopped);
// a tool whose name cannot be written after `@server.` gets an action name that can.
import type { McpAction, McpServer } from './definition';
import type { McpToolInfo } from './mcp-connection';

/** A name Procedures can write: letters, digits, "_" and "-", at most 64 characters. */
export function actionNameForTool(tool: string): string {
  let name = tool.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z_]+/, '');
  if (name === '') name = 'tool';
  return name.slice(0, 64);
}

/**
 * The server's actions for the allowed tool names. Tools already on the allow-list keep their
 * confirm flag, field selection, timeout and mocks. Unknown names are an error naming them.
 */
export function allowTools(server: McpServer, listed: McpToolInfo[], allow: string[]): McpAction[] {
  const byName = new Map(listed.map((tool) => [tool.name, tool]));
  const unknown = allow.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new Error(`MCP server "${server.name}" has no tool ${unknown.map((name) => `"${name}"`).join(', ')}; it lists ${listed.map((tool) => tool.name).join(', ') || 'none'}.`);
  }
  const previous = new Map(server.actions.map((action) => [action.tool ?? action.name, action]));
  return allow.map((toolName) => {
    const tool = byName.get(toolName)!;
    const name = actionNameForTool(tool.name);
    const kept = previous.get(tool.name);
    const inputSchema = tool.inputSchema.type === 'object' ? tool.inputSchema : { type: 'object', properties: {} };
    return {
      name,
      ...(name !== tool.name ? { tool: tool.name } : {}),
      description: tool.description,
      inputSchema: inputSchema as McpAction['inputSchema'],
      ...(kept?.confirm !== undefined ? { confirm: kept.confirm } : {}),
      ...(kept?.responseFields ? { responseFields: kept.responseFields } : {}),
      ...(kept?.timeoutMs ? { timeoutMs: kept.timeoutMs } : {}),
      ...(kept?.mocks ? { mocks: kept.mocks } : {}),
    };
  });
}
