// The Python snippets of a document that the sandbox has not checked yet, and its issues mapped
// back to document positions.
import type { ProcedureDocument } from '../../../shared/procedure';
import { pythonSnippets, type PythonSnippet } from '../../../shared/procedure/walk';
import { pythonKey } from './context';

export function uncheckedSnippets(document: ProcedureDocument, checked: ReadonlyMap<string, unknown>): PythonSnippet[] {
  const seen = new Set<string>();
  return pythonSnippets(document).filter((snippet) => {
    const key = pythonKey(snippet);
    if (checked.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
