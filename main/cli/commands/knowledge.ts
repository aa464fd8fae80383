import { resolve } from 'node:path';
import { importKnowledge } from '../../knowledge/import';
import { parseCommandArgs, UsageError, type Command } from '../io';
import { withSession } from '../session';

export const knowledgeCommand: Command = {
  name: 'knowledge',
  summary: 'Import articles into the knowledge hub (a folder of .md/.html/.txt, or a JSON array), or search it',
  usage: 'knowledge import <path> | search "<query>" --workspace <file> [--json] [--limit n]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
    });
    const [action, argument, ...rest] = positionals;
    if (action !== 'import' && action !== 'search') throw new UsageError(action ? `Unknown knowledge action "${action}".` : 'Say what to do: knowledge import or knowledge search.');
    if (!argument || rest.length > 0) throw new UsageError(action === 'import' ? 'Name one folder or file to import.' : 'Give one query, in quotes.');
    if (action === 'import') {
      return withSession(values.workspace, io, ({ workspace }) => {
        const report = importKnowledge(workspace.knowledge, resolve(io.cwd, argument));
        for (const skipped of report.skipped) io.err(`skipped ${skipped.name}: ${skipped.reason}`);
        io.out(`Imported ${report.created} new, ${report.updated} updated, ${report.unchanged} unchanged; ${report.skipped.length} skipped.`);
        return report.skipped.length > 0 ? 1 : 0;
      });
    }
    const limit = values.limit === undefined ? 5 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit takes a whole number from 1 to 100.');
    return withSession(values.workspace, io, ({ workspace }) => {
      const hits = workspace.search.search(argument, { limit });
      if (values.json) io.out(JSON.stringify({ query: argument, hits }, null, 2));
      else if (hits.length === 0) io.out('No articles found.');
      else io.out(hits.map((hit, index) => `${index + 1}. ${hit.title}${hit.url ? `  <${hit.url}>` : ''}\n   ${hit.snippet.replace(/\s+/g, ' ')}`).join('\n'));
      return 0;
    }, { readonly: true });
  },
};
