// `stepwise draft`: drafts a Procedure from an outline (plus chosen knowledge articles and sample
// transcripts). The draft is repaired from validate's diagnostics before it is shown; one that still
// does not pass is shown with what is wrong, exits 1 and is never saved.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plural } from '../../../shared/plural';
import { draftProcedure } from '../../authoring/drafter';
import { describeDiagnostics } from '../../authoring/procedure-check';
import { writeFileAtomic } from '../../files/atomic-write';
import type { Workspace } from '../../store/workspace';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import { wholeNumber } from '../model-args';
import { withSession } from '../session';

export function readTextFile(io: CliIo, file: string, what: string): string {
  const path = resolve(io.cwd, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

function article(workspace: Workspace, reference: string): { title: string; body: string } {
  if (/^\d+$/.test(reference)) {
    const found = workspace.knowledge.get(Number(reference));
    if (!found) throw new UsageError(`There is no knowledge article with id ${reference}.`);
    return { title: found.title, body: found.body };
  }
  const found = workspace.knowledge.findByTitle(reference);
  if (found.length === 0) throw new UsageError(`There is no knowledge article titled "${reference}" (search with: stepwise knowledge search).`);
  if (found.length > 1) throw new UsageError(`${found.length} articles are titled "${reference}": name one by its id (${found.map((entry) => entry.id).join(', ')}).`);
  return { title: found[0]!.title, body: found[0]!.body };
}

export const draftCommand: Command = {
  name: 'draft',
  summary: 'Draft a Procedure from an outline (repaired until it passes validate)',
  usage: 'draft --outline <file> --workspace <file> [--article <id|title>]… [--transcript <file>]… [--max-repairs <n>] [--out <file>] [--save]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      outline: { type: 'string' },
      workspace: { type: 'string' },
      article: { type: 'string', multiple: true },
      transcript: { type: 'string', multiple: true },
      'max-repairs': { type: 'string' },
      out: { type: 'string' },
      save: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    if (!values.outline) throw new UsageError('Give the outline with --outline <file>.');
    const outline = readTextFile(io, values.outline, 'outline');
    const transcripts = (values.transcript ?? []).map((file) => readTextFile(io, file, 'transcript'));
    const maxRepairs = wholeNumber(values['max-repairs'], '--max-repairs', 3, 0, 10);
    return withSession(values.workspace, io, async ({ workspace, path, sandbox, model }) => {
      const articles = (values.article ?? []).map((reference) => article(workspace, reference));
      const { client } = await model();
      const result = await draftProcedure({ workspace, model: client, sandbox }, { outline, articles, transcripts, maxRepairs });
      const repaired = result.attempts > 1 ? `, after ${plural(result.attempts - 1, 'repair')} from validate's diagnostics` : '';
      if (!result.valid) {
        io.err(`The draft still does not pass validate after ${plural(maxRepairs, 'repair')}:\n${describeDiagnostics(result.diagnostics, result.text)}`);
        io.out(result.text);
        return 1;
      }
      io.err(`Drafted "${result.name}"${repaired}. ${result.summary}`.trim());
      const remarks = describeDiagnostics(result.diagnostics, result.text, ['warning']);
      if (remarks) io.err(`Warnings:\n${remarks}`);
      if (values.out) {
        writeFileAtomic(resolve(io.cwd, values.out), result.text);
        io.err(`Written to ${resolve(io.cwd, values.out)}.`);
      } else io.out(result.text);
      if (values.save) {
        workspace.procedures.create(result.text);
        io.err(`Saved "${result.name}" as a draft in ${path}.`);
      }
      return 0;
    });
  },
};
