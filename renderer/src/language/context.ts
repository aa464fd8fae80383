// The validation context the editor checks against: what the workspace knows, plus the Python
// issues the sandbox has reported so far (the validator's python hook is synchronous).
import type { LanguageContext, PythonIssueDto } from '../../../shared/api';
import type { ValidationContext } from '../../../shared/procedure';
import type { PythonSnippet } from '../../../shared/procedure/walk';

export const pythonKey = (snippet: Pick<PythonSnippet, 'mode' | 'code'>) => `${snippet.mode}\u0000${snippet.code}`;

export function validationContext(language: LanguageContext | null, python: ReadonlyMap<string, PythonIssueDto[]>): ValidationContext {
  const context: ValidationContext = { python: (snippet) => python.get(pythonKey(snippet)) };
  if (!language) return context;
  context.connectors = Object.fromEntries(language.connectors.map((connector) => [connector.name, { actions: connector.actions.map((action) => action.name) }]));
  context.procedures = Object.fromEntries(language.procedures.map((procedure) => [procedure.name, { calls: procedure.calls }]));
  if (language.teams.length > 0) context.teams = language.teams.map((team) => team.name);
  return context;
}
