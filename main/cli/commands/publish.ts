import { readProcedureFiles } from '../../files/procedure-files';
import { ProcedureService } from '../../services/procedures';
import { parseCommandArgs, UsageError, type Command } from '../io';
import { withSession } from '../session';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Publish a Procedure\'s draft as its new live version (--from: take the draft from a file first)',
  usage: 'publish <procedure> --workspace <file> [--note <text>] [--from <file.md>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, note: { type: 'string' }, from: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('Name exactly one Procedure to publish (in quotes if it has spaces).');
    const name = positionals[0]!;
    // Read as every Procedure file is read (strict UTF-8, no BOM, LF line breaks), so the version
    // published holds the same text that `validate` checked.
    const text = values.from ? readProcedureFiles([values.from], io.cwd)[0]!.text : null;
    return withSession(values.workspace, io, async ({ workspace, sandbox }) => {
      // With --from, the file's text is saved and published in one transaction: the version
      // published is exactly that text, whatever other writers do meanwhile.
      const note = values.note ? { note: values.note } : {};
      // Its Python is checked in the sandbox, as `validate` checks it (the sandbox starts only if there is Python).
      const published = await new ProcedureService(workspace, { python: sandbox }).publish(name, text !== null ? { ...note, text } : { ...note, currentDraft: true });
      io.out(`Published "${published.name}" as version ${published.version} (${published.contentHash.slice(0, 19)}…).`);
      return 0;
    });
  },
};
