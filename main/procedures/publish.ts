// Publishing a draft, after checking it against the rest of the workspace: a draft with errors
// (an unknown [[Procedure]], an unknown @connector.action…) never goes live. What is published is
// always the text the caller gave or saw: the checks and the publish are one write transaction,
// so no other writer can slip its own text in between.
import { parse, validate } from '../../shared/procedure';
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

export function publishProcedure(workspace: Workspace, name: string, request: PublishRequest): VersionRecord {
  return workspace.transaction(() => {
    let target = name;
    let expectedHash = request.expectedHash;
    if (request.text !== undefined) {
      target = (workspace.procedures.get(name) ? workspace.procedures.saveDraft(name, request.text) : workspace.procedures.create(request.text)).name;
      expectedHash = contentHash(request.text);
    }
    const record = workspace.procedures.require(target);
    if (expectedHash !== undefined && record.draftHash !== expectedHash) throw draftChanged(target);
    const parsed = parse(record.draftText);
    const errors = [...parsed.diagnostics, ...validate(parsed.document, workspaceValidationContext(workspace))].filter((diagnostic) => diagnostic.severity === 'error');
    if (errors.length > 0) {
      const listed = errors.slice(0, 5).map((error) => `  line ${error.span.start.line}: ${error.message}`);
      if (errors.length > 5) listed.push(`  …and ${errors.length - 5} more`);
      const what = request.text !== undefined ? 'the text has' : 'its draft has';
      const nothing = request.text !== undefined ? ' Nothing was saved.' : '';
      throw new StoreError(`"${target}" was not published: ${what} ${errors.length} error(s).${nothing}\n${listed.join('\n')}`, 'invalid');
    }
    return workspace.procedures.publish(target, { note: request.note, author: request.author, expectedHash: record.draftHash });
  });
}
