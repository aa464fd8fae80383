// A simulation file, YAML or JSON (JSON is read as YAML): one simulation
//   { procedure, name, ...definition }
// or several for one Procedure
//   { procedure, simulations: [{ name, ...definition }, …] }
// The example shop's simulations (examples/simulations/) and `stepwise simulations add` read it.
// Every problem names its place in the file (`simulations[1].customer.persona`), and the file is
// read whole before anything is saved.
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { simulationDefinitionSchema, type SimulationDefinition } from '../../shared/simulations/definition';

export interface SimulationEntry {
  procedure: string;
  name: string;
  definition: SimulationDefinition;
}

/** A simulation file that cannot be used, with every problem and where it is. */
export class SimulationFileError extends Error {}

const nameSchema = z.string().trim().min(1, 'give the simulation a name').max(200);
const procedureSchema = z.string().trim().min(1, 'name the Procedure the simulation tests');

/**
 * The simulations of a file. `fallbackProcedure` (e.g. `--procedure`) is used when the file names
 * none; a file that names another Procedure is refused rather than silently moved.
 */
export function parseSimulationFile(text: string, source: string, fallbackProcedure?: string): SimulationEntry[] {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) throw new SimulationFileError(`${source} is neither YAML nor JSON: ${document.errors[0]!.message.split('\n')[0]}`);
  const raw: unknown = document.toJS();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SimulationFileError(`${source}: the file must hold an object (a simulation, or { procedure, simulations: [...] }).`);
  const { procedure: named, simulations, ...rest } = raw as Record<string, unknown>;
  const procedure = pickProcedure(named, fallbackProcedure, source);
  if (simulations === undefined) return [entry(rest, procedure, source, '')];
  if (Object.keys(rest).length > 0) throw new SimulationFileError(`${source}: ${Object.keys(rest).join(', ')}: a file with a "simulations" list holds only "procedure" and "simulations"; put these fields in each simulation.`);
  if (!Array.isArray(simulations) || simulations.length === 0) throw new SimulationFileError(`${source}: simulations: must be a non-empty list.`);
  const entries = simulations.map((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new SimulationFileError(`${source}: simulations[${index}]: must be an object.`);
    return entry(item as Record<string, unknown>, procedure, source, `simulations[${index}].`);
  });
  const seen = new Set<string>();
  for (const [index, item] of entries.entries()) {
    if (seen.has(item.name)) throw new SimulationFileError(`${source}: simulations[${index}].name: "${item.name}" is used twice in this file.`);
    seen.add(item.name);
  }
  return entries;
}

function pickProcedure(named: unknown, fallback: string | undefined, source: string): string {
  if (named === undefined) {
    if (fallback) return fallback;
    throw new SimulationFileError(`${source}: procedure: missing: name the Procedure the simulations test (in the file, or with --procedure).`);
  }
  const parsed = procedureSchema.safeParse(named);
  if (!parsed.success) throw new SimulationFileError(`${source}: procedure: ${parsed.error.issues[0]!.message}.`);
  if (fallback && fallback !== parsed.data) throw new SimulationFileError(`${source}: procedure: the file is for "${parsed.data}", not "${fallback}".`);
  return parsed.data;
}

function entry(fields: Record<string, unknown>, procedure: string, source: string, prefix: string): SimulationEntry {
  const { name, ...definition } = fields;
  const parsedName = nameSchema.safeParse(name);
  if (!parsedName.success) throw new SimulationFileError(`${source}: ${prefix}name: ${name === undefined ? 'missing: give the simulation a name' : parsedName.error.issues[0]!.message}.`);
  const parsed = simulationDefinitionSchema.safeParse(definition);
  if (!parsed.success) throw new SimulationFileError(`${source}: simulation "${parsedName.data}" is not valid: ${describeIssues(parsed.error, prefix)}`);
  return { procedure, name: parsedName.data, definition: parsed.data };
}

/** Each problem with its full place in the file; an unknown field is named by its own path. */
function describeIssues(error: z.ZodError, prefix: string): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [''];
    return keys
      .map((key) => {
        const path = [...issue.path, ...(key ? [key] : [])].map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
        const where = `${prefix}${path}`.replace(/\.$/, '') || '(the simulation)';
        return `${where}: ${issue.code === 'unrecognized_keys' ? 'not a field of a simulation here' : issue.message}`;
      })
      .join('; ');
  });
  if (error.issues.length > 5) lines.push(`…and ${error.issues.length - 5} more`);
  return lines.join('; ');
}
