// `stepwise publish`: publishes a draft (or a file's text) as a new live version. Before that, the
// publish gate (main/services/publish-gate.ts) warns when the text has no simulations, failing or
// stale ones, or the starter's placeholders: at a terminal it asks, elsewhere it refuses unless
// --force, so a script never publishes past a warning without saying so.
import { terminalAsk } from '../terminal-ask';
import { plural } from '../../../shared/plural';
import { readProcedureFiles } from '../../files/procedure-files';
import { ProcedureService } from '../../services/procedures';
import { parseCommandArgs, processIo, UsageError, type Command } from '../io';
import type { AskingIo } from './bundles';
import { withSession } from '../session';

export const publishCommand: Command = {
  name: 'publish',
  summary: 'Publish a Procedure\'s draft as its new live version (warns first; --from: take the draft from a file first)',
  usage: 'publish <procedure> --workspace <file> [--note <text>] [--from <file.md>] [--force]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, note: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean', default: false } });
    if (positionals.length !== 1) throw new UsageError('Name exactly one Procedure to publish (in quotes if it has spaces).');
    const name = positionals[0]!;
    // Read as every Procedure file is read (strict UTF-8, no BOM, LF line breaks), so the version
    // published holds the same text that `validate` checked.
    const text = values.from ? readProcedureFiles([values.from], io.cwd)[0]!.text : null;
    return withSession(values.workspace, io, async ({ workspace, sandbox }) => {
      // Its Python is checked in the sandbox, as `validate` checks it (the sandbox starts only if there is Python).
      const procedures = new ProcedureService(workspace, { python: sandbox });
      const { draftHash, warnings } = procedures.publishWarnings(name, text ?? undefined);
      for (const warning of warnings) io.err(`Warning: ${warning.message}`);
      if (warnings.length > 0 && !values.force) {
        const ask = (io as AskingIo).ask ?? (io === processIo && process.stdin.isTTY ? terminalAsk : undefined);
        if (!ask) {
          io.err(`"${name}" was not published: ${plural(warnings.length, 'warning')} above. Run again with --force to publish anyway.`);
          return 1;
        }
        if (!/^(y|yes)$/i.test((await ask('Publish anyway? [y/N] ')).trim())) {
          io.err(`"${name}" was not published.`);
          return 1;
        }
      }
      const note = values.note ? { note: values.note } : {};
      // With --from, the file's text is saved and published in one transaction: the version
      // published is exactly that text, whatever other writers do meanwhile. Without it, only the
      // draft the warnings were about is published (a draft saved meanwhile is refused).
      const published = await procedures.publish(name, text !== null ? { ...note, text } : { ...note, expectedHash: draftHash! });
      io.out(`Published "${published.name}" as version ${published.version} (${published.contentHash.slice(0, 19)}…).`);
      return 0;
    });
  },
};
