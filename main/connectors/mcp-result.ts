// What an MCP tool result means for the model: its structured content when it has some, else its
// text (parsed when it is JSON). Images and other binary blocks are named, not passed on.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export interface ToolOutcome {
  isError: boolean;
  /** The value field selection applies to. */
  value: unknown;
  /** The text of an error result. */
  errorText: string;
}

export function interpretToolResult(result: CallToolResult): ToolOutcome {
  const texts: string[] = [];
  const attachments: { type: string; mimeType?: string; uri?: string }[] = [];
  for (const block of result.content ?? []) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'resource_link') attachments.push({ type: block.type, uri: block.uri });
    else if (block.type === 'resource') attachments.push({ type: block.type, uri: block.resource.uri });
    else attachments.push({ type: block.type, ...('mimeType' in block && typeof block.mimeType === 'string' ? { mimeType: block.mimeType } : {}) });
  }
  const text = texts.join('\n');
  if (result.isError) return { isError: true, value: null, errorText: text || 'the tool reported an error without saying what' };
  if (result.structuredContent !== undefined) return { isError: false, value: result.structuredContent, errorText: '' };
  let value: unknown = text;
  if (texts.length === 1 && /^\s*[[{]/.test(text)) {
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
  }
  if (attachments.length > 0) value = { ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { text: value }), attachments };
  else if (typeof value === 'string') value = { text: value };
  return { isError: false, value, errorText: '' };
}

/** A copy of a tool result for the trace, with large binary payloads shortened. */
export function traceableResult(result: CallToolResult): unknown {
  return {
    ...result,
    content: (result.content ?? []).map((block) =>
      'data' in block && typeof block.data === 'string' && block.data.length > 256 ? { ...block, data: `${block.data.slice(0, 64)}… (${block.data.length} characters of base64)` } : block,
    ),
  };
}
