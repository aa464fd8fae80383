import { parse, print, shapeDifferences, type DocumentShape } from '../../../shared/procedure';
import { writeFileAtomic } from '../../files/atomic-write';
import { readProcedureFiles } from '../../files/procedure-files';
import { formattingDiff } from '../../language/format-diff';
import { parseCommandArgs, UsageError, type Command } from '../io';

const CHANGED_PART: Record<keyof DocumentShape, string> = { document: 'its steps and blocks', graph: 'its graph', diagnostics: 'its problems' };

export const fmtCommand: Command = {
  name: 'fmt',
  summary: 'Rewrite Procedure files in canonical form (--check only reports, with the diff it would apply)',
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
      // Compared with the file as stored, so a byte-order mark or CRLF line breaks count as changes.
      if (formatted === file.original) continue;
      const changed = shapeDifferences(file.parsed, parse(formatted));
      if (changed.length > 0) {
        // Formatting must never change what a Procedure says: keep the author's text instead.
        const parts = changed.map((part) => CHANGED_PART[part]).join(' and ');
        io.err(`${file.file}: not formatted: the canonical form would read back differently (${parts} would change), so the file is left as it is.`);
        failed = true;
        continue;
      }
      if (values.check) {
        io.out(`${file.file}: not canonically formatted\n${formattingDiff(file.file, file.original, file.text, formatted)}`);
        failed = true;
      } else {
        writeFileAtomic(file.path, formatted);
        io.out(`${file.file}: formatted`);
      }
    }
    return failed ? 1 : 0;
  },
};
