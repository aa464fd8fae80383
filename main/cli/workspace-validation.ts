// What `validate --workspace` checks against: the workspace's ValidationContext, and its drafts.
import { parse, type ValidationContext } from '../../shared/procedure';
import type { NamedParse } from '../language/validate-set';
import { workspaceValidationContext } from '../procedures/workspace-context';
import { Workspace } from '../store/workspace';
import type { CliIo } from './io';
import { requireWorkspacePath } from './workspace-args';

export function loadWorkspaceForValidation(file: string, io: CliIo): { entries: NamedParse[]; base: ValidationContext } {
  const workspace = Workspace.open(requireWorkspacePath(file, io), { readonly: true });
  try {
    const entries = workspace.procedures.list().map((record) => ({ file: `${file}:${record.name}`, parsed: parse(record.draftText) }));
    return { entries, base: workspaceValidationContext(workspace) };
  } finally {
    workspace.close();
  }
}
