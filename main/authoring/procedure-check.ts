// `validate` for a Procedure text written by the authoring model: parse, the workspace's validation
// context (its Procedures, connectors and teams), Python checked in the sandbox, and a name that is
// not already taken. The diagnostics are what the repair loop sends back to the model.
import { parse, type Diagnostic } from '../../shared/procedure';
import { checkPythonSnippets } from '../language/python-check';
import { validateSet } from '../language/validate-set';
import { workspaceValidationContext } from '../procedures/workspace-context';
import type { CodeSandbox } from '../sandbox/types';
import type { Workspace } from '../store/workspace';

export interface CheckedProcedure {
  name: string | null;
  /** No error-severity diagnostic: it passes `validate`. */
  valid: boolean;
  diagnostics: Diagnostic[];
}

export async function checkProcedureText(workspace: Workspace, text: string, sandbox: Pick<CodeSandbox, 'check'>, options: { replacing?: string } = {}): Promise<CheckedProcedure> {
  const parsed = parse(text);
  const python = await checkPythonSnippets([parsed.document], sandbox);
  const base = workspaceValidationContext(workspace);
  if (options.replacing && base.procedures) delete base.procedures[options.replacing];
  const [result] = validateSet([{ file: 'draft', parsed }], { ...base, python });
  const diagnostics = [...result!.diagnostics];
  const header = parsed.document.frontMatter?.header;
  const name = header?.name ?? null;
  if (name && name !== options.replacing && workspace.procedures.get(name)) {
    diagnostics.unshift({ severity: 'error', code: 'name-taken', message: `The workspace already has a Procedure called "${name}": give this one another name.`, span: header!.nameSpan ?? header!.span });
  }
  return { name, valid: !diagnostics.some((diagnostic) => diagnostic.severity === 'error'), diagnostics };
}

/** Diagnostics as the model (and a person) reads them: errors first, each with its line of text. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[], text: string, severities: Diagnostic['severity'][] = ['error']): string {
  const lines = text.split('\n');
  return diagnostics
    .filter((diagnostic) => severities.includes(diagnostic.severity))
    .map((diagnostic) => {
      const { line, column } = diagnostic.span.start;
      const source = lines[line - 1]?.trimEnd();
      return `- line ${line}, column ${column} [${diagnostic.severity} ${diagnostic.code}]: ${diagnostic.message}${source ? `\n    > ${source}` : ''}`;
    })
    .join('\n');
}
