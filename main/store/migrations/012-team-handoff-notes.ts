import type { Migration } from './migration';

// A team's handoff note template: what the agent's note to the team should say (issue 18's teams
// screen). Existing teams get an empty template, which means "no template".
export const teamHandoffNotes: Migration = {
  version: 12,
  name: 'team handoff note templates',
  sql: `ALTER TABLE teams ADD COLUMN note_template TEXT NOT NULL DEFAULT '';`,
};
