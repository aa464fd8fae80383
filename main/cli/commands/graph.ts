import { toGraph } from '../../../shared/procedure';
import { readProcedureFiles } from '../../files/procedure-files';
import { parseCommandArgs, UsageError, type Command } from '../io';

export const graphCommand: Command = {
  name: 'graph',
  summary: 'Print the graph of a Procedure: its steps, conditions, actions and how they connect',
  usage: 'graph <file> [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean', default: false } });
    if (positionals.length !== 1) throw new UsageError('Name exactly one Procedure file.');
    const [file] = readProcedureFiles(positionals, io.cwd);
    const graph = toGraph(file!.parsed.document);
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            nodes: graph.nodes.map(({ id, kind, label, line }) => ({ id, kind, label, line })),
            edges: graph.edges.map(({ from, to, label }) => ({ from, to, label: label ?? null })),
          },
          null,
          2,
        ),
      );
    } else {
      const lines = graph.nodes.map((node) => `${String(node.line).padStart(4)}  ${node.kind.padEnd(12)} ${node.id}  ${node.label}`);
      lines.push('', ...graph.edges.map((edge) => `${edge.from} → ${edge.to}${edge.label ? `  [${edge.label}]` : ''}`));
      io.out(lines.join('\n'));
    }
    const errors = file!.parsed.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    for (const error of errors) io.err(`${file!.file}:${error.span.start.line}:${error.span.start.column}: error: ${error.message}`);
    return errors.length > 0 ? 1 : 0;
  },
};
