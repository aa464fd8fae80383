// The one API between the engine and the UI. Every call and every pushed event is declared here,
// once, with zod schemas for what goes in and what comes out. The engine's service, the Electron
// bridge, the preload's allow-list, the browser-mode server and the UI's client all derive from it.
import { z } from 'zod';
import {
  AppInfoSchema,
  ConnectionTestSchema,
  DiffSchema,
  LanguageContextSchema,
  ProcedureDetailSchema,
  ProcedureNameSchema,
  ProcedureSummarySchema,
  PythonIssueSchema,
  PythonSnippetInputSchema,
  SettingsInputSchema,
  SettingsViewSchema,
  VersionRecordSchema,
  VersionRefSchema,
  VersionSummarySchema,
} from './schemas';
import { connectorCallSpecs } from './connectors';
import { previewCallSpecs, previewEventSpecs } from './preview';
import { simulationCallSpecs, simulationEventSpecs } from './simulations';
import { teamCallSpecs } from './teams';
import { bundleCallSpecs } from './bundles';
import { knowledgeCallSpecs } from './knowledge';
import { authoringCallSpecs } from './authoring';

export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  summary: string;
}

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O): CallSpec<I, O> => ({ summary, input, output });
const named = z.strictObject({ name: ProcedureNameSchema });
const none = z.strictObject({});
const ok = z.strictObject({ ok: z.literal(true) });

export const calls = {
  'app.info': call('Which workspace is open, and how the app runs.', none, AppInfoSchema),

  'procedures.list': call('Every Procedure with its draft/live status.', none, z.array(ProcedureSummarySchema)),
  'procedures.get': call('One Procedure: its draft text and live version.', named, ProcedureDetailSchema),
  'procedures.create': call('A new Procedure from the starter text.', z.strictObject({ name: ProcedureNameSchema, subProcedure: z.boolean().default(false) }), ProcedureDetailSchema),
  'procedures.rename': call(
    'Renames a Procedure and the [[references]] to it in other drafts.',
    z.strictObject({ name: ProcedureNameSchema, newName: ProcedureNameSchema }),
    ProcedureDetailSchema,
  ),
  'procedures.duplicate': call('A copy with its own name; the history is not copied.', named, ProcedureDetailSchema),
  'procedures.delete': call('Deletes a Procedure and its history (refused while others call it).', named, ok),
  'procedures.saveDraft': call(
    'Saves the draft; `expectedHash` refuses to overwrite a draft someone else changed meanwhile.',
    z.strictObject({ name: ProcedureNameSchema, text: z.string().max(5_000_000), expectedHash: z.string().optional() }),
    ProcedureDetailSchema,
  ),
  'procedures.publish': call(
    'Publishes the draft as a new version, after checking it against the workspace; `expectedHash` (the draft the user saw) refuses a draft someone else changed meanwhile.',
    z.strictObject({ name: ProcedureNameSchema, note: z.string().max(2000), expectedHash: z.string().min(1) }),
    VersionSummarySchema,
  ),
  'procedures.history': call('Published versions, newest first.', named, z.array(VersionSummarySchema)),
  'procedures.version': call('The text of one published version.', z.strictObject({ name: ProcedureNameSchema, version: z.number().int().positive() }), VersionRecordSchema),
  'procedures.diff': call('The texts of two versions (or the draft), for the diff editor.', z.strictObject({ name: ProcedureNameSchema, from: VersionRefSchema, to: VersionRefSchema }), DiffSchema),

  'language.context': call('Connectors, Procedures and teams, for completion, hover and validation.', none, LanguageContextSchema),
  'language.checkPython': call(
    "Python syntax and policy issues from the sandbox, one list per snippet (lines relative to the snippet).",
    z.strictObject({ snippets: z.array(PythonSnippetInputSchema).max(500) }),
    z.array(z.array(PythonIssueSchema)),
  ),

  'settings.get': call('Model settings; the key itself never leaves the engine.', none, SettingsViewSchema),
  'settings.save': call('Saves model settings; the key goes to the secret store.', SettingsInputSchema, SettingsViewSchema),
  'settings.testConnection': call('Sends a one-token request to the agent model with the saved settings.', none, ConnectionTestSchema),

  ...previewCallSpecs,
  ...connectorCallSpecs,
  ...simulationCallSpecs,
  ...teamCallSpecs,
  ...bundleCallSpecs,
  ...knowledgeCallSpecs,
  ...authoringCallSpecs,
} as const satisfies Record<string, CallSpec>;

export type Calls = typeof calls;
export type Method = keyof Calls;
export type CallInput<M extends Method> = z.input<Calls[M]['input']>;
export type CallArgs<M extends Method> = z.output<Calls[M]['input']>;
export type CallOutput<M extends Method> = z.output<Calls[M]['output']>;

export const METHODS = Object.keys(calls) as Method[];

export function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(calls, value);
}

/** Events the engine pushes to every window. */
export const events = {
  /** Procedures were created, changed, renamed or deleted (by this window or another). */
  'procedures.changed': z.strictObject({ names: z.array(z.string()), reason: z.enum(['created', 'saved', 'renamed', 'deleted', 'published']) }),
  ...previewEventSpecs,
  ...simulationEventSpecs,
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}

/** Electron IPC channel names: one per call and per event, and nothing else. */
export const channelForMethod = (method: Method) => `stepwise:call:${method}`;
export const channelForEvent = (event: EventName) => `stepwise:event:${event}`;
