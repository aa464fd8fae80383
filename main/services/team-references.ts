// Moved to main/procedures/team-references.ts, where bundle imports reach it too (a "keep both"
// team's incoming Procedures hand off to the renamed copy).
export { renameTeamInText } from '../procedures/team-references';
