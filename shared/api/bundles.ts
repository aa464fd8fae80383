// The bundles screen's calls: this workspace's signing key and the trusted ones; an export (the
// closure it holds, the secret names production must provide, simulation warnings, and the signed
// file); an import looked at before anything is written (signer, change list, capabilities) and
// then applied with the person's answer for each conflict and each capability.
import { z } from 'zod';

const procedureName = z.string().trim().min(1).max(200);
const bundleText = z.string().min(2, 'choose a bundle file').max(50 * 1024 * 1024, 'a bundle is at most 50 MB');
const ok = z.strictObject({ ok: z.literal(true) });
const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });

export const TrustedKeySchema = z.strictObject({ fingerprint: z.string(), publicKey: z.string(), label: z.string(), addedAt: z.string(), own: z.boolean() });
export const BundleKeysSchema = z.strictObject({ publicKey: z.string(), fingerprint: z.string(), trusted: z.array(TrustedKeySchema) });
export type BundleKeys = z.infer<typeof BundleKeysSchema>;

export const BundleExportInputSchema = z.strictObject({
  procedures: z.array(procedureName).min(1, 'choose at least one Procedure').max(1000),
  source: z.enum(['live', 'draft']),
  includeKnowledge: z.boolean().default(false),
});

export const BundleExportSchema = z.strictObject({
  procedures: z.array(z.strictObject({ name: z.string(), requested: z.boolean(), source: z.enum(['live', 'draft']), version: z.number().int().nullable() })),
  connectors: z.array(z.string()),
  /** Teams the Procedures hand off or escalate to; the bundle carries the definition of each this workspace defines. */
  teams: z.array(z.string()),
  /** Of those, the ones this workspace does not define: only their names travel, in the Procedures' text. */
  undefinedTeams: z.array(z.string()),
  /** Knowledge articles included (0 when not chosen). */
  articles: z.number().int(),
  simulations: z.number().int(),
  /** Secret names the bundle's connectors use: production must provide a value for each. */
  secretsNeeded: z.array(z.string()),
  warnings: z.array(z.strictObject({ procedure: z.string(), code: z.string(), message: z.string() })),
  fingerprint: z.string(),
  fileName: z.string(),
  /** The signed bundle file. */
  text: z.string(),
});
export type BundleExport = z.infer<typeof BundleExportSchema>;

export const BundleChangeSchema = z.strictObject({
  kind: z.enum(['procedure', 'connector', 'team', 'simulation', 'article']),
  name: z.string(),
  status: z.enum(['new', 'changed', 'same']),
  mine: z.string().nullable(),
  theirs: z.string().nullable(),
  /** Where "keep both" puts the incoming item (changed items only). */
  renameTo: z.string().nullable(),
});
export type BundleChange = z.infer<typeof BundleChangeSchema>;

export const BundleInspectionSchema = z.strictObject({
  fingerprint: z.string(),
  /** Whether this workspace already trusts the signer. */
  trusted: z.boolean(),
  createdAt: z.string(),
  appVersion: z.string(),
  changes: z.array(BundleChangeSchema),
  capabilities: z.array(z.strictObject({ key: z.string(), connector: z.string(), kind: z.string(), description: z.string(), granted: z.boolean() })),
});
export type BundleInspection = z.infer<typeof BundleInspectionSchema>;

export const ConflictChoiceSchema = z.enum(['keep-mine', 'take-theirs', 'keep-both']);
export type ConflictChoice = z.infer<typeof ConflictChoiceSchema>;
/** A change's key in `choices`: its kind and name. */
export const changeKey = (change: Pick<BundleChange, 'kind' | 'name'>) => `${change.kind}\u0000${change.name}`;

export const BundleImportReportSchema = z.strictObject({
  fingerprint: z.string(),
  items: z.array(z.strictObject({ kind: z.string(), name: z.string(), outcome: z.enum(['created', 'replaced', 'renamed', 'skipped', 'unchanged']), as: z.string().nullable() })),
  approved: z.array(z.string()),
  pending: z.array(z.string()),
});
export type BundleImportReport = z.infer<typeof BundleImportReportSchema>;

export const bundleCallSpecs = {
  'bundles.keys': call("This workspace's public key (made on first use) and the keys it trusts.", z.strictObject({}), BundleKeysSchema),
  'bundles.trustKey': call('Trusts a public key (PEM): bundles it signs import without asking.', z.strictObject({ publicKey: z.string().min(1, 'paste a public key').max(10_000), label: z.string().max(200).default('') }), z.strictObject({ fingerprint: z.string() })),
  'bundles.untrustKey': call('Stops trusting a key (not this workspace\'s own).', z.strictObject({ fingerprint: z.string().min(1).max(200) }), ok),
  'bundles.export': call('The signed bundle of the chosen Procedures with what they call and use, and what to know before shipping it.', BundleExportInputSchema, BundleExportSchema),
  'bundles.inspect': call('Verifies a bundle and lists what importing it would change; writes nothing.', z.strictObject({ text: bundleText }), BundleInspectionSchema),
  'bundles.import': call(
    'Imports a bundle in one transaction, with a choice for each conflict, the capabilities approved, and trust for a new signer; refused whole when an answer is missing.',
    z.strictObject({ text: bundleText, choices: z.record(z.string(), ConflictChoiceSchema).default({}), approve: z.array(z.string()).max(1000).default([]), trust: z.boolean().default(false) }),
    BundleImportReportSchema,
  ),
};
