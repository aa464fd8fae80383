// The bundle file format (docs/bundles.md): one JSON file holding a signed manifest and the
// entries it lists. The manifest is kept as the exact string that was signed, so verifying
// never depends on how a JSON library orders or spaces things.
import { z } from 'zod';
import { connectorDefinitionSchema } from '../connectors/definition';
import { describeZodError } from '../validation/zod-error';
import { articleSchema } from '../knowledge/article';
import { resultSchema, runStatusSchema, simulationDefinitionSchema } from '../simulations/definition';
import { teamSchema } from '../store/teams';

export const BUNDLE_FORMAT_VERSION = 1;
export const INDEX_PATH = 'bundle.json';
/**
 * The definitions of the teams the bundle's Procedures hand off or escalate to. An entry of its own,
 * not a field of bundle.json, so bundles written before it still verify and import (they carry team
 * names only), and a reader that does not know it still reads the rest.
 */
export const TEAMS_PATH = 'teams.json';

const entryPath = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[a-z0-9][a-z0-9._/-]*$/, 'entry paths use lowercase letters, digits, ".", "_", "-" and "/"')
  .refine((path) => !path.split('/').includes('..'), 'entry paths may not contain ".."');

export const bundleFileSchema = z.strictObject({
  format: z.literal('stepwise-bundle'),
  manifest: z.string().min(2),
  signature: z.base64(),
  entries: z.record(entryPath, z.string()),
});

export const manifestSchema = z.strictObject({
  formatVersion: z.number().int().positive(),
  appVersion: z.string().min(1),
  createdAt: z.iso.datetime(),
  /** The signer's Ed25519 public key, SPKI PEM. */
  publicKey: z.string().min(1),
  keyFingerprint: z.string().min(1),
  entries: z.array(z.strictObject({ path: entryPath, sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })),
});

export const bundledProcedureSchema = z.strictObject({
  name: z.string().min(1),
  path: entryPath,
  source: z.enum(['live', 'draft']),
  /** The published version number in the exporting workspace, for live entries. */
  version: z.number().int().positive().nullable(),
  contentHash: z.string(),
  /** Chosen for export (true), or there because a chosen one calls it (false). */
  requested: z.boolean(),
});

export const bundleIndexSchema = z.strictObject({
  procedures: z.array(bundledProcedureSchema),
  connectors: z.array(z.strictObject({ name: z.string().min(1), path: entryPath })),
  knowledge: entryPath.nullable(),
  simulations: z.array(z.strictObject({ procedure: z.string().min(1), name: z.string().min(1), path: entryPath })),
});

export const bundledKnowledgeSchema = z.array(articleSchema);

/**
 * A team as the teams screen defines it: name, description, handoff note template. Strict, so an
 * entry carrying anything else (members, addresses, a webhook secret) is refused, not dropped.
 */
export const bundledTeamsSchema = z
  .array(teamSchema)
  .max(1000)
  .superRefine((teams, context) => {
    const seen = new Set<string>();
    for (const [index, team] of teams.entries()) {
      // Team names compare without case, as the store does.
      if (seen.has(team.name.toLowerCase())) context.addIssue({ code: 'custom', path: [index, 'name'], message: `the team "${team.name}" is listed twice` });
      seen.add(team.name.toLowerCase());
    }
  });
export type BundledTeam = z.infer<typeof teamSchema>;

export const bundledRunSchema = z.strictObject({
  procedureHash: z.string(),
  version: z.number().int().nullable(),
  status: runStatusSchema,
  summary: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  results: z.array(resultSchema),
});

export const bundledSimulationSchema = z.strictObject({
  procedure: z.string().min(1),
  name: z.string().min(1),
  definition: simulationDefinitionSchema,
  lastRun: bundledRunSchema.nullable(),
});

export { connectorDefinitionSchema as bundledConnectorSchema };

export type BundleFile = z.infer<typeof bundleFileSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
export type BundleIndex = z.infer<typeof bundleIndexSchema>;
export type BundledProcedure = z.infer<typeof bundledProcedureSchema>;
export type BundledSimulation = z.infer<typeof bundledSimulationSchema>;

/** A bundle that cannot be exported, verified or imported; the message says why. */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid' | 'tampered' | 'untrusted' | 'unsupported' | 'incomplete' | 'conflict' | 'too-large' | 'forbidden',
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** An entry's JSON, checked against its schema; anything else is a BundleError naming the entry. */
export function parseBundleEntry<S extends z.ZodType>(schema: S, text: string, path: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BundleError(`${path} in the bundle is not JSON.`, 'invalid');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new BundleError(`${path} in the bundle is not valid: ${describeZodError(parsed.error)}`, 'invalid');
  return parsed.data;
}
