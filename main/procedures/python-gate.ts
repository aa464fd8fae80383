// The sandbox's verdict on the Python of Procedures about to go live without an author at the
// keyboard (a bundle import), as plain lines naming the Procedure and the line in its text.
// Publishing from the editor or the command line goes through publish.ts, which shows the same
// problems as validation errors.
import { parse, pythonSnippets } from '../../shared/procedure';
import { checkPythonSnippets } from '../language/python-check';
import type { CodeSandbox } from '../sandbox/types';

export type PythonChecker = Pick<CodeSandbox, 'check'>;

/** Problems in the Python of the given texts; an empty list when all of it passes (or there is none). */
export async function pythonProblems(procedures: readonly { name: string; text: string }[], sandbox: PythonChecker | undefined): Promise<string[]> {
  const documents = procedures.map(({ name, text }) => ({ name, document: parse(text).document }));
  const snippets = documents.flatMap(({ name, document }) => pythonSnippets(document).map((snippet) => ({ name, snippet })));
  if (snippets.length === 0) return [];
  // Not checked is not passed.
  if (!sandbox) return [...new Set(snippets.map(({ name }) => `"${name}": its Python could not be checked (no sandbox).`))];
  let issues: Awaited<ReturnType<typeof checkPythonSnippets>>;
  try {
    issues = await checkPythonSnippets(documents.map(({ document }) => document), sandbox);
  } catch (error) {
    return [`The Python could not be checked (${(error as Error).message.replace(/\.$/, '')}).`];
  }
  return snippets.flatMap(({ name, snippet }) =>
    (issues(snippet) ?? []).map((issue) => `"${name}" line ${snippet.map(issue.line - 1, issue.column - 1).line}: ${issue.message}`),
  );
}
