// Publishing a draft, after checking it against the rest of the workspace: a draft with errors
// (an unknown [[Procedure]], an unknown @connector.action, Python the sandbox's policy refuses…)
// never goes live. What is published is always the text the caller gave or saw: the checks and the
// publish are one write transaction, so no other writer can slip its own text in between.
//
// The Python check runs in the sandbox, which is asynchronous, and a write transaction cannot wait
// for it. So the exact text is checked first, and the transaction then publishes only that text:
// if the draft changed meanwhile (its hash is not the one checked), nothing is published.
import { parse, validate, type PythonIssue, type PythonSnippet } from '../../shared/procedure';
import { checkPythonSnippets } from '../language/python-check';
import type { CodeSandbox } from '../sandbox/types';
import { StoreError } from '../store/errors';
import { contentHash } from '../store/hash';
import { draftChanged, type VersionRecord } from '../store/procedures';
import type { Workspace } from '../store/workspace';
import { workspaceValidationContext } from './workspace-context';

/**
 * What to publish. Every caller says which text it means, so none publishes a text it never saw:
 * the text itself, the hash of the draft the caller saw, or, for a caller that publishes the
 * draft as it is (the command line without --from, the example shop), `currentDraft`.
 */
export type PublishRequest = { note?: string; author?: string } & (
  | { text: string; expectedHash?: never; currentDraft?: never }
  | { expectedHash: string; text?: never; currentDraft?: never }
  | { currentDraft: true; text?: never; expectedHash?: never }
);

/** The sandbox's verdict on the Python of one exact text (by its content hash). */
export interface CheckedPython {
  textHash: string;
  issues: (snippet: PythonSnippet) => PythonIssue[] | undefined;
}

/**
 * The example shop ships with Stepwise, and its Python passes the sandbox's check (tested by
 * `validate --workspace` over a new example workspace in tests/cli/workspace-commands.test.ts), so
 * creating the example workspace publishes it without starting Python. Nothing else may use this.
 */
export const SHIPPED_EXAMPLE = Symbol('shipped example');

/** Checks the Python of the text the request names, then publishes that text if it passes everything. */
export async function publishChecked(workspace: Workspace, name: string, request: PublishRequest, sandbox: Pick<CodeSandbox, 'check'>): Promise<VersionRecord> {
  const text = textToPublish(workspace, name, request);
  let issues: CheckedPython['issues'];
  try {
    issues = await checkPythonSnippets([parse(text).document], sandbox);
  } catch (error) {
    // Not checked is not passed: a Procedure whose Python could not be checked is not published.
    const nothing = request.text !== undefined ? ' Nothing was saved.' : '';
    throw new StoreError(`"${name}" was not published: its Python could not be checked (${(error as Error).message.replace(/\.$/, '')}).${nothing}`, 'invalid');
  }
  return publishProcedure(workspace, name, request, { textHash: contentHash(text), issues });
}

/** Publishes in one write transaction, with the Python verdict taken before it on the same text. */
export function publishProcedure(workspace: Workspace, name: string, request: PublishRequest, python: CheckedPython | typeof SHIPPED_EXAMPLE): VersionRecord {
  return workspace.transaction(() => {
    let target = name;
    let expectedHash = request.expectedHash;
    if (request.text !== undefined) {
      target = (workspace.procedures.get(name) ? workspace.procedures.saveDraft(name, request.text) : workspace.procedures.create(request.text)).name;
      expectedHash = contentHash(request.text);
    }
    const record = workspace.procedures.require(target);
    if (expectedHash !== undefined && record.draftHash !== expectedHash) throw draftChanged(target);
    // The draft must be the very text whose Python was checked (another writer may have saved since).
    if (python !== SHIPPED_EXAMPLE && record.draftHash !== python.textHash) throw draftChanged(target);
    const parsed = parse(record.draftText);
    const context = { ...workspaceValidationContext(workspace), ...(python !== SHIPPED_EXAMPLE ? { python: python.issues } : {}) };
    const errors = [...parsed.diagnostics, ...validate(parsed.document, context)].filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) {
      const listed = errors.slice(0, 5).map((error) => `  line ${error.span.start.line}: ${error.message}`);
      if (errors.length > 5) listed.push(`  …and ${errors.length - 5} more`);
      const what = request.text !== undefined ? 'the text has' : 'its draft has';
      const nothing = request.text !== undefined ? ' Nothing was saved.' : '';
      throw new StoreError(`"${target}" was not published: ${what} ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}.${nothing}\n${listed.join('\n')}`, 'invalid');
    }
    return workspace.procedures.publish(target, { note: request.note, author: request.author, expectedHash: record.draftHash });
  });
}

/** The text a request would publish, read outside any transaction so that its Python can be checked. */
function textToPublish(workspace: Workspace, name: string, request: PublishRequest): string {
  if (request.text !== undefined) return request.text;
  const record = workspace.procedures.require(name);
  if (request.expectedHash !== undefined && record.draftHash !== request.expectedHash) throw draftChanged(name);
  return record.draftText;
}
