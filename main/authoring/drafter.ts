// Drafts a Procedure from an outline written by support ops, with the knowledge articles and sample
// conversation transcripts they chose. The draft must pass `validate`; when it does not, the
// drafter repairs it from the diagnostics, up to a limit, before anyone sees it.
import { z } from 'zod';
import { LANGUAGE_GUIDE, workspaceBrief } from './language-guide';
import { writeProcedure, type AuthoringServices, type WrittenProcedure } from './write-procedure';

export const draftInputSchema = z.strictObject({
  outline: z.string().trim().min(1, 'the outline is empty').max(50_000),
  articles: z.array(z.strictObject({ title: z.string(), body: z.string() })).default([]),
  transcripts: z.array(z.string().trim().min(1)).default([]),
  /** Repairs after the first answer (default 3). */
  maxRepairs: z.number().int().min(0).max(10).default(3),
});
export type DraftInput = z.input<typeof draftInputSchema>;

const SYSTEM = `You write Procedures for an AI customer support agent, from an outline by the company's support team. Keep their intent, order and wording where you can; make it a clear, complete Procedure the agent can follow.

Rules:
- Use only connector actions, teams and Procedures that exist in the workspace (listed below). If the outline needs something that does not exist, say so in a sentence of the Procedure instead of inventing it.
- Declare every attribute you use, with a type and a description.
- Use Python conditions only for facts the runtime knows exactly (attribute values, connector results); use plain-language conditions for judgement calls.
- Learn from the sample transcripts how customers talk and where conversations go wrong; cite policies from the articles instead of inventing them.
- Answer with the write_procedure tool.`;

function prompt(input: z.output<typeof draftInputSchema>): string {
  const parts = [`<outline>\n${input.outline}\n</outline>`];
  for (const article of input.articles) parts.push(`<article title="${article.title.replace(/"/g, "'")}">\n${article.body}\n</article>`);
  input.transcripts.forEach((transcript, index) => parts.push(`<transcript n="${index + 1}">\n${transcript}\n</transcript>`));
  parts.push('Write the Procedure.');
  return parts.join('\n\n');
}

export async function draftProcedure(services: AuthoringServices, raw: DraftInput): Promise<WrittenProcedure> {
  const input = draftInputSchema.parse(raw);
  return writeProcedure(services, {
    system: [
      { type: 'text', text: SYSTEM },
      { type: 'text', text: `The Procedure language:\n${LANGUAGE_GUIDE}` },
      { type: 'text', text: workspaceBrief(services.workspace) },
    ],
    prompt: prompt(input),
    maxRepairs: input.maxRepairs,
  });
}
