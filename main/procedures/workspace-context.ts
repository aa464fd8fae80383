// The ValidationContext a workspace gives: its Procedures (drafts) with what they call, its
// connectors' actions and its handoff teams (when it has any).
import type { ValidationContext } from '../../shared/procedure';
import type { Workspace } from '../store/workspace';
import { procedureFacts } from './text';

export function workspaceValidationContext(workspace: Workspace): ValidationContext {
  const procedures: Record<string, { calls: string[] }> = {};
  for (const record of workspace.procedures.list()) procedures[record.name] = { calls: procedureFacts(record.draftText).calls };
  const connectors: Record<string, { actions: string[] }> = {};
  for (const connector of workspace.connectors.list()) connectors[connector.name] = { actions: connector.actions.map((action) => action.name) };
  const teams = workspace.teams.list().map((team) => team.name);
  return { procedures, connectors, ...(teams.length > 0 ? { teams } : {}) };
}
