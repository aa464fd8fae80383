import { print } from '../../../shared/procedure';
import { writeFileAtomic } from '../../files/atomic-write';
import { readProcedureFiles } from '../../files/procedure-files';
import { parseCommandArgs, UsageError, type Command } from '../io';

export const fmtCommand: Command = {
  name: 'fmt',
  summary: 'Rewrite Procedure files in canonical form (--check only reports)',
  usage: 'fmt <files…> [--check]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { check: { type: 'boolean', default: false } });
    if (positionals.length === 0) throw new UsageError('Name at least one Procedure file to format.');
    let failed = false;
    for (const file of readProcedureFiles(positionals, io.cwd)) {
      const errors = file.parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      if (errors.length > 0) {
        // Formatting a document that does not parse could move text the author did not mean to move.
        const first = errors[0]!;
        io.err(`${file.file}:${first.span.start.line}:${first.span.start.column}: not formatted: ${first.message}`);
        failed = true;
        continue;
      }
      const formatted = print(file.parsed.document);
      if (formatted === file.text) continue;
      if (values.check) {
        io.out(`${file.file}: not canonically formatted`);
        failed = true;
      } else {
        writeFileAtomic(file.path, formatted);
        io.out(`${file.file}: formatted`);
      }
    }
    return failed ? 1 : 0;
  },
};
