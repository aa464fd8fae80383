// The shapes that cross the API boundary. Each one is the only definition of its type: the engine
// validates what it returns against it, and the UI validates what it receives.
import { z } from 'zod';
import { MODEL_PROVIDERS, MODEL_ROLES } from './settings';

export const ProcedureNameSchema = z.string().trim().min(1, 'A Procedure needs a name.').max(200);

export const VersionSummarySchema = z.strictObject({
  version: z.number().int().positive(),
  name: z.string(),
  contentHash: z.string(),
  note: z.string(),
  author: z.string().nullable(),
  publishedAt: z.string(),
  republishes: z.number().int().nullable(),
});
export type VersionSummary = z.infer<typeof VersionSummarySchema>;

export const ProcedureStatusSchema = z.enum(['draft', 'live', 'changed']);
/** draft: never published; live: the draft is what is live; changed: live, with unpublished edits. */
export type ProcedureStatus = z.infer<typeof ProcedureStatusSchema>;

export const ProcedureSummarySchema = z.strictObject({
  name: z.string(),
  status: ProcedureStatusSchema,
  subProcedure: z.boolean(),
  liveVersion: z.number().int().nullable(),
  updatedAt: z.string(),
});
export type ProcedureSummary = z.infer<typeof ProcedureSummarySchema>;

export const ProcedureDetailSchema = z.strictObject({
  name: z.string(),
  status: ProcedureStatusSchema,
  subProcedure: z.boolean(),
  draftText: z.string(),
  draftHash: z.string(),
  live: VersionSummarySchema.nullable(),
  updatedAt: z.string(),
});
export type ProcedureDetail = z.infer<typeof ProcedureDetailSchema>;

export const VersionRecordSchema = VersionSummarySchema.extend({ text: z.string() });
export type VersionRecord = z.infer<typeof VersionRecordSchema>;

/** A published version, the draft, or whatever is live. */
export const VersionRefSchema = z.union([z.number().int().positive(), z.literal('draft'), z.literal('live')]);
export type VersionRef = z.infer<typeof VersionRefSchema>;

export const DiffSchema = z.strictObject({
  from: z.strictObject({ label: z.string(), text: z.string() }),
  to: z.strictObject({ label: z.string(), text: z.string() }),
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
});
export type ProcedureDiff = z.infer<typeof DiffSchema>;

/** What the editor needs to complete, explain and check references. */
export const LanguageContextSchema = z.strictObject({
  connectors: z.array(
    z.strictObject({
      name: z.string(),
      description: z.string(),
      actions: z.array(z.strictObject({ name: z.string(), description: z.string(), confirm: z.boolean() })),
    }),
  ),
  procedures: z.array(
    z.strictObject({ name: z.string(), trigger: z.string().nullable(), description: z.string().nullable(), subProcedure: z.boolean(), calls: z.array(z.string()) }),
  ),
  teams: z.array(z.strictObject({ name: z.string(), description: z.string() })),
});
export type LanguageContext = z.infer<typeof LanguageContextSchema>;

export const PythonSnippetInputSchema = z.strictObject({ mode: z.enum(['condition', 'code']), code: z.string().max(100_000) });
export const PythonIssueSchema = z.strictObject({ line: z.number().int(), column: z.number().int(), message: z.string() });
export type PythonIssueDto = z.infer<typeof PythonIssueSchema>;

const ModelsSchema = z.strictObject(Object.fromEntries(MODEL_ROLES.map((role) => [role, z.string().trim().min(1, `Name a model for the ${role}.`).max(200)])) as {
  [K in (typeof MODEL_ROLES)[number]]: z.ZodString;
});

/** Model settings as the UI sees them: never the key itself, only whether one is stored. */
export const SettingsViewSchema = z.strictObject({
  provider: z.enum(MODEL_PROVIDERS),
  baseURL: z.string().nullable(),
  models: ModelsSchema,
  hasApiKey: z.boolean(),
  /** Where the key is kept, e.g. "OS keychain (Electron safeStorage)". */
  secretStore: z.string(),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

const BaseUrlInputSchema = z.union([z.url({ protocol: /^https?$/, message: 'The base URL must be an http:// or https:// address.' }), z.literal('')]).nullable();

export const SettingsInputSchema = z.strictObject({
  provider: z.enum(MODEL_PROVIDERS),
  baseURL: BaseUrlInputSchema,
  models: ModelsSchema,
  /** A new key to store; null removes the stored key; absent leaves it as it is. */
  apiKey: z.string().trim().min(1, 'The API key is empty.').max(1000).nullable().optional(),
});
export type SettingsInput = z.infer<typeof SettingsInputSchema>;

export const ConnectionTestSchema = z.strictObject({
  ok: z.boolean(),
  model: z.string(),
  latencyMs: z.number().nonnegative(),
  message: z.string(),
});
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

export const AppInfoSchema = z.strictObject({
  mode: z.enum(['electron', 'browser']),
  version: z.string(),
  workspacePath: z.string(),
  workspaceName: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;
