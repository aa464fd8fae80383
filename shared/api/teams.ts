// The teams screen's calls: the teams a Procedure hands off to (`@handoff Claims team`), each with
// a description, a handoff note template and the Procedures that name it; create, edit, rename
// (drafts that name the team follow) and delete (refused while a Procedure names it).
import { z } from 'zod';

const teamName = z.string().trim().min(1, 'give the team a name').max(200, 'a team name has at most 200 characters');
const teamFields = {
  name: teamName,
  description: z.string().max(2000, 'a description has at most 2000 characters').default(''),
  noteTemplate: z.string().max(5000, 'a note template has at most 5000 characters').default(''),
};

export const TeamViewSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  /** What the agent's handoff note to the team should say; empty: no template. */
  noteTemplate: z.string(),
  /** Procedures whose draft or live version hands off or escalates to the team. */
  usedBy: z.array(z.string()),
});
export type TeamView = z.infer<typeof TeamViewSchema>;

export const TeamRenameResultSchema = z.strictObject({
  team: TeamViewSchema,
  /** Drafts rewritten to name the new team. */
  rewritten: z.array(z.string()),
  /** Procedures whose live version still names the old team until their draft is published. */
  liveStillNaming: z.array(z.string()),
});
export type TeamRenameResult = z.infer<typeof TeamRenameResultSchema>;

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });

export const teamCallSpecs = {
  'teams.list': call('Every team, with its description, note template and the Procedures that name it.', z.strictObject({}), z.array(TeamViewSchema)),
  'teams.create': call('Creates a team (refused when one has that name, whatever its case).', z.strictObject(teamFields), TeamViewSchema),
  'teams.update': call("Saves a team's description and handoff note template.", z.strictObject(teamFields), TeamViewSchema),
  'teams.rename': call(
    'Renames a team and, in the same transaction, the @handoff and escalation references to it in every draft.',
    z.strictObject({ name: teamName, newName: teamName }),
    TeamRenameResultSchema,
  ),
  'teams.delete': call('Deletes a team (refused while a Procedure hands off or escalates to it, listing them).', z.strictObject({ name: teamName }), z.strictObject({ ok: z.literal(true) })),
};
