// AI authoring calls that stand on their own (not tied to a simulation): "Draft a Procedure" from
// an outline, chosen knowledge articles and past transcripts. The draft comes back as a proposal
// (its text, a diff from nothing, what validate says); nothing is saved until the person accepts it.
import { z } from 'zod';

export const DraftRequestSchema = z.strictObject({
  outline: z.string().trim().min(1, 'Write an outline first: what the Procedure should do, step by step.').max(50_000, 'The outline is longer than 50,000 characters.'),
  /** Knowledge articles by id, sent along for the policies they hold. */
  articleIds: z.array(z.number().int().positive()).max(20, 'Choose at most 20 articles.').default([]),
  /** Past conversations, as text, for how customers talk and where it goes wrong. */
  transcripts: z.array(z.string().trim().min(1, 'A transcript is empty.').max(100_000, 'A transcript is longer than 100,000 characters.')).max(10, 'Add at most 10 transcripts.').default([]),
});

export const DraftProposalSchema = z.strictObject({
  text: z.string(),
  /** The name in its front matter (null: it has none). */
  name: z.string().nullable(),
  summary: z.string(),
  /** It passes validate against this workspace (and its name is free): it can be accepted. */
  valid: z.boolean(),
  /** What validate still reports as errors, each with its line. */
  problems: z.array(z.string()),
  warnings: z.array(z.string()),
  /** The repairs from validate's diagnostics it took. */
  repairs: z.number().int().nonnegative(),
  /** The new Procedure as a unified diff from nothing. */
  patch: z.string(),
});
export type DraftProposal = z.infer<typeof DraftProposalSchema>;

export const authoringCallSpecs = {
  'authoring.draft': {
    summary: 'Drafts a Procedure with the author model from an outline, articles and transcripts, repaired from validate until it passes (or shown with what is still wrong). Nothing is saved.',
    input: DraftRequestSchema,
    output: DraftProposalSchema,
  },
  'authoring.acceptDraft': {
    summary: 'Saves an accepted draft as a new Procedure, after checking it again: refused, saving nothing, when it does not pass validate or its name is taken.',
    input: z.strictObject({ text: z.string().min(1, 'The draft is empty.').max(200_000) }),
    output: z.strictObject({ name: z.string() }),
  },
} as const;
