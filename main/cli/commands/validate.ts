import type { Diagnostic } from '../../../shared/procedure';
import { plural } from '../../../shared/plural';
import { readProcedureFiles } from '../../files/procedure-files';
import { validateSet, type FileDiagnostics } from '../../language/validate-set';
import { checkPythonSnippets } from '../../language/python-check';
import { lazyPythonSandbox, type LazySandbox } from '../../assembly/lazy-sandbox';
import { parseCommandArgs, UsageError, type Command } from '../io';
import { loadWorkspaceForValidation } from '../workspace-validation';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check Procedure files and report problems with their line and column',
  usage: 'validate <files or folders…> [--json] [--workspace <file>] [--no-python]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean', default: false },
      workspace: { type: 'string' },
      // Python is checked in the sandbox unless told not to (it takes a second or two to start).
      'no-python': { type: 'boolean', default: false },
    });
    if (positionals.length === 0 && !values.workspace) throw new UsageError('Name at least one Procedure file to validate.');
    // A folder stands for the Procedure files in it (`validate examples/`).
    const files = readProcedureFiles(positionals, io.cwd, { expandFolders: true });
    // With --workspace, references are checked against the workspace's Procedures, connectors and
    // teams; with no files, the workspace's own drafts are checked.
    const { entries, base } = values.workspace ? loadWorkspaceForValidation(values.workspace, io) : { entries: [], base: {} };
    const checked = [...files.map(({ file, parsed }) => ({ file, parsed })), ...(files.length === 0 ? entries : [])];
    const python = values['no-python'] ? undefined : await withSandbox((sandbox) => checkPythonSnippets(checked.map((entry) => entry.parsed.document), sandbox));
    const results = validateSet(checked, { ...base, ...(python ? { python } : {}) });
    if (values.json) io.out(JSON.stringify({ files: results.map(toJson) }, null, 2));
    else io.out(formatHuman(results));
    return results.some((result) => result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) ? 1 : 0;
  },
};

function toJson(result: FileDiagnostics) {
  return {
    file: result.file,
    diagnostics: result.diagnostics.map((diagnostic) => ({
      severity: diagnostic.severity,
      message: diagnostic.message,
      line: diagnostic.span.start.line,
      column: diagnostic.span.start.column,
      code: diagnostic.code,
    })),
  };
}

function formatHuman(results: FileDiagnostics[]): string {
  const lines: string[] = [];
  const counts: Record<Diagnostic['severity'], number> = { error: 0, warning: 0, info: 0 };
  for (const result of results) {
    for (const diagnostic of result.diagnostics) {
      counts[diagnostic.severity] += 1;
      const { line, column } = diagnostic.span.start;
      lines.push(`${result.file}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message} [${diagnostic.code}]`);
    }
  }
  lines.push(
    `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'note')} in ${plural(results.length, 'file')}.`,
  );
  return lines.join('\n');
}

/** Python is checked by a sandbox that starts only if some Procedure has Python in it. */
async function withSandbox<T>(work: (sandbox: LazySandbox) => Promise<T>): Promise<T> {
  const sandbox = lazyPythonSandbox();
  try {
    return await work(sandbox);
  } finally {
    await sandbox.close();
  }
}
