// The validator's Python hook, answered by the sandbox: every Python snippet of the documents is
// checked (syntax and policy) ahead of time, since the validator itself is synchronous.
import { pythonSnippets, type ProcedureDocument, type PythonIssue, type PythonSnippet } from '../../shared/procedure';
import type { CodeSandbox } from '../sandbox/types';

const keyOf = (snippet: Pick<PythonSnippet, 'mode' | 'code'>) => `${snippet.mode}\u0000${snippet.code}`;

export async function checkPythonSnippets(documents: ProcedureDocument[], sandbox: Pick<CodeSandbox, 'check'>): Promise<(snippet: PythonSnippet) => PythonIssue[] | undefined> {
  const unique = new Map<string, PythonSnippet>();
  for (const document of documents) for (const snippet of pythonSnippets(document)) unique.set(keyOf(snippet), snippet);
  const issues = new Map<string, PythonIssue[]>();
  await Promise.all([...unique].map(async ([key, snippet]) => issues.set(key, await sandbox.check(snippet.code, snippet.mode))));
  return (snippet) => issues.get(keyOf(snippet));
}
