// The chat preview's calls and events: talk to a Procedure (the editor's unsaved text, the saved
// draft, a published version) or to the whole workspace as production routes it, with the reply
// streamed and every trace event pushed as it happens. A preview is a session held by the engine;
// its conversation is stored like any other (kind "preview"), with the Procedure text it ran on.
import { z } from 'zod';
import { ProcedureNameSchema } from './schemas';

/** What a preview pane talks to. */
export const PreviewTargetSchema = z.discriminatedUnion('kind', [
  /** The editor's current text, saved or not. */
  z.strictObject({ kind: z.literal('text'), name: ProcedureNameSchema, text: z.string().max(5_000_000) }),
  z.strictObject({ kind: z.literal('draft'), name: ProcedureNameSchema }),
  /** A published version; "live" is whichever is live when the preview starts. */
  z.strictObject({ kind: z.literal('version'), name: ProcedureNameSchema, version: z.union([z.literal('live'), z.number().int().positive()]) }),
  /** Every live Procedure, routed as the production server routes a customer's first message. */
  z.strictObject({ kind: z.literal('workspace') }),
]);
export type PreviewTarget = z.infer<typeof PreviewTargetSchema>;

export const PreviewConnectorsSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('mock'), world: z.string().trim().min(1).max(200).optional() }),
  z.strictObject({ mode: z.literal('live') }),
]);

const AttributeValueSchema = z.union([z.string().max(10_000), z.number(), z.boolean(), z.array(z.unknown()).max(500), z.record(z.string(), z.unknown())]);

export const PreviewStartInputSchema = z.strictObject({
  target: PreviewTargetSchema,
  /** Starting customer attributes, checked against the Procedure's declared types. */
  attributes: z.record(z.string().trim().min(1).max(200), AttributeValueSchema).default({}),
  connectors: PreviewConnectorsSchema.default({ mode: 'mock' }),
  /** The agent role's model, instead of the one in Settings. */
  agentModel: z.string().trim().min(1).max(200).optional(),
  /** Start although the text has validation warnings (never with errors). */
  runAnyway: z.boolean().default(false),
});

export const PreviewTraceEventSchema = z.strictObject({
  /** Position in the conversation's trace, from 0. */
  index: z.number().int().nonnegative(),
  type: z.string(),
  stepId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});
export type PreviewTraceEvent = z.infer<typeof PreviewTraceEventSchema>;

export const PreviewMessageSchema = z.strictObject({ role: z.enum(['customer', 'agent']), text: z.string() });

export const PreviewStatusSchema = z.strictObject({
  /** A customer message is being answered. */
  running: z.boolean(),
  /** Messages waiting for the running turn to finish, in order. */
  queued: z.array(z.string()),
  conversationStatus: z.string(),
  outcome: z.strictObject({ kind: z.string(), team: z.string().nullable(), reason: z.string() }).nullable(),
  /** What went wrong in the last turn, in words (a model failure, a stopped turn), or null. */
  error: z.string().nullable(),
  /** Trace events kept: after a stopped turn, the UI drops the ones past this. */
  traceLength: z.number().int().nonnegative(),
});
export type PreviewStatus = z.infer<typeof PreviewStatusSchema>;

export const PreviewSessionSchema = z.strictObject({
  sessionId: z.string(),
  conversationId: z.number().int().positive(),
  target: PreviewTargetSchema,
  /** The Procedure the conversation started in (null: routed), and the exact text it runs on. */
  procedure: z.string().nullable(),
  procedureText: z.string().nullable(),
  /** Validation warnings the caller chose to run anyway. */
  warnings: z.array(z.string()),
  transcript: z.array(PreviewMessageSchema),
  trace: z.array(PreviewTraceEventSchema),
  status: PreviewStatusSchema,
});
export type PreviewSession = z.infer<typeof PreviewSessionSchema>;

export const PreviewTurnSchema = z.strictObject({
  /** False when the turn was stopped (its message is dropped; the conversation is as it was before it). */
  answered: z.boolean(),
  replies: z.array(z.string()),
  status: PreviewStatusSchema,
});

export const PreviewSummarySchema = z.strictObject({
  conversationId: z.number().int().positive(),
  startedAt: z.string(),
  target: PreviewTargetSchema.nullable(),
  procedure: z.string().nullable(),
  messages: z.number().int().nonnegative(),
  status: z.string(),
});

const session = z.strictObject({ sessionId: z.string().min(1).max(100) });

export const previewCallSpecs = {
  'preview.start': { summary: 'Starts a preview conversation with a Procedure (unsaved text, draft, a version) or the whole workspace.', input: PreviewStartInputSchema, output: PreviewSessionSchema },
  'preview.send': {
    summary: 'A customer message; answered when its turn ends (queued behind a running one). Reply text and trace events arrive as preview.* events meanwhile.',
    input: z.strictObject({ sessionId: z.string().min(1).max(100), text: z.string().max(20_000) }),
    output: PreviewTurnSchema,
  },
  'preview.stop': { summary: 'Stops the running turn and drops the queued messages; the conversation stays as it was before the stopped message.', input: session, output: PreviewStatusSchema },
  'preview.reset': { summary: 'A new conversation with the same target and controls.', input: session, output: PreviewSessionSchema },
  'preview.close': { summary: 'Ends the session (the stored conversation stays).', input: session, output: z.strictObject({ ok: z.literal(true) }) },
  'preview.list': { summary: 'Past preview conversations, newest first.', input: z.strictObject({ limit: z.number().int().min(1).max(500).default(50) }), output: z.array(PreviewSummarySchema) },
  'preview.open': { summary: 'Reopens a stored preview conversation: a session with its transcript, trace and the Procedure text it ran on.', input: z.strictObject({ conversationId: z.number().int().positive() }), output: PreviewSessionSchema },
  'preview.world': {
    summary: 'The mock world a mocked preview conversation left behind (null: it changed nothing, or ran live).',
    input: z.strictObject({ conversationId: z.number().int().positive() }),
    output: z.strictObject({ startedFrom: z.string().nullable(), world: z.record(z.string(), z.unknown()) }).nullable(),
  },
  'preview.saveAsSimulation': {
    summary: "A simulation seeded from a stored preview conversation (customer's goal and facts from what they said, criteria drafted from the outcome), saved under its Procedure.",
    input: z.strictObject({ conversationId: z.number().int().positive(), name: z.string().trim().min(1, 'A simulation needs a name.').max(200) }),
    output: z.strictObject({ procedure: z.string(), name: z.string() }),
  },
} as const;

export const previewEventSpecs = {
  /** The agent's reply as the model writes it; `withdrawn`: the response broke off, drop the text. */
  'preview.reply': z.strictObject({ sessionId: z.string(), text: z.string(), withdrawn: z.boolean() }),
  /** One runtime event of a preview's conversation, as it happens. */
  'preview.trace': z.strictObject({ sessionId: z.string(), event: PreviewTraceEventSchema }),
  /** A turn started or ended, or the queue changed. */
  'preview.status': z.strictObject({ sessionId: z.string(), status: PreviewStatusSchema }),
} as const;
