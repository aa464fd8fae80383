// Maps positions in a snippet to the Procedure document, and words error messages for support ops.
import type { SnippetOrigin } from './types';

export interface Position {
  line?: number;
  column?: number;
}

/**
 * Snippet line/column (1-based) to document line/column. The snippet's lines are assumed to be indented
 * in the document as its first line is (a fenced block inside a list item is dedented as a whole), so
 * every column shifts by origin.column - 1.
 */
export function toDocument(position: { line: number | null; column: number | null }, origin?: SnippetOrigin): Position {
  const result: Position = {};
  if (position.line === null) return result;
  result.line = origin ? origin.line + position.line - 1 : position.line;
  if (position.column !== null) result.column = origin ? origin.column + position.column - 1 : position.column;
  return result;
}

/** Capitalizes a message that starts with a plain word ("syntax error: ..."), not one that starts with code ("getattr() ..."). */
export function capitalize(message: string): string {
  return /^[a-z]+[ ,:]/.test(message) ? message[0]!.toUpperCase() + message.slice(1) : message;
}

/** "Line 12: Syntax error: '[' was never closed". */
export function located(message: string, line?: number): string {
  const text = capitalize(message);
  return line === undefined ? text : `Line ${line}: ${text}`;
}
