// Publishing a draft, after checking it against the rest of the workspace: a draft with errors
// (an unknown [[Procedure]], an unknown @connector.action…) never goes live.
import { parse, validate } from '../../shared/procedure';
import { StoreError } from '../store/errors';
import type { VersionRecord } from '../store/procedures';
import type { Workspace } from '../store/workspace';
import { workspaceValidationContext } from './workspace-context';

export function publishProcedure(workspace: Workspace, name: string, options: { note?: string; author?: string } = {}): VersionRecord {
  const record = workspace.procedures.require(name);
  const { document } = parse(record.draftText);
  const errors = validate(document, workspaceValidationContext(workspace)).filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) {
    const listed = errors.slice(0, 5).map((error) => `  line ${error.span.start.line}: ${error.message}`);
    if (errors.length > 5) listed.push(`  …and ${errors.length - 5} more`);
    throw new StoreError(`"${name}" was not published: its draft has ${errors.length} error(s).\n${listed.join('\n')}`, 'invalid');
  }
  return workspace.procedures.publish(name, options);
}
