// The teams a Procedure hands off to: create, edit, rename (every draft that names the team follows,
// in the same transaction, as a Procedure rename does) and delete (refused while a Procedure names it).
import { procedureFacts } from '../procedures/text';
import type { Team } from '../store/teams';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';
import { renameTeamInText } from './team-references';

export interface TeamListing extends Team {
  /** Procedures whose draft or live version hands off or escalates to the team. */
  usedBy: string[];
}

export interface TeamRename {
  team: TeamListing;
  /** Drafts rewritten to name the new team. */
  rewritten: string[];
  /** Procedures whose live version still names the old team until their draft is published. */
  liveStillNaming: string[];
}

export interface TeamServiceOptions {
  /** Told which drafts a rename rewrote, after it is committed. */
  onDraftsChanged?: (names: string[]) => void;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class TeamService {
  constructor(
    private readonly workspace: Workspace,
    private readonly options: TeamServiceOptions = {},
  ) {}

  list(): TeamListing[] {
    const users = this.users();
    return this.workspace.teams.list().map((team) => ({ ...team, usedBy: users(team.name) }));
  }

  create(input: Team): TeamListing {
    const existing = this.workspace.teams.get(input.name.trim());
    if (existing) throw new ServiceError('conflict', `There is already a team called "${existing.name}".`);
    return this.listing(this.workspace.teams.save(input));
  }

  /** Saves a team's description and note template; the name stays (rename does that). */
  update(input: Team): TeamListing {
    const current = this.require(input.name);
    return this.listing(this.workspace.teams.save({ ...input, name: current.name }));
  }

  rename(name: string, newName: string): TeamRename {
    const current = this.require(name);
    const rewritten: string[] = [];
    const team = this.workspace.transaction(() => {
      const renamed = this.workspace.teams.rename(current.name, newName);
      for (const record of this.workspace.procedures.list()) {
        const text = renameTeamInText(record.draftText, current.name, renamed.name);
        if (text === record.draftText) continue;
        this.workspace.procedures.saveDraft(record.name, text);
        rewritten.push(record.name);
      }
      return renamed;
    });
    if (rewritten.length > 0) this.options.onDraftsChanged?.(rewritten);
    const liveStillNaming = this.workspace.procedures
      .list()
      .filter((record) => record.live && procedureFacts(this.workspace.procedures.liveText(record.name) ?? '').teams.some((used) => same(used, current.name)))
      .map((record) => record.name);
    return { team: this.listing(team), rewritten, liveStillNaming };
  }

  delete(name: string): void {
    const current = this.require(name);
    const usedBy = this.users()(current.name);
    if (usedBy.length > 0) {
      throw new ServiceError('conflict', `Team "${current.name}" is used by ${usedBy.map((procedure) => `"${procedure}"`).join(', ')}: change their handoffs first.`);
    }
    this.workspace.teams.delete(current.name);
  }

  private require(name: string): Team {
    const team = this.workspace.teams.get(name);
    if (!team) throw new ServiceError('not-found', `There is no team called "${name}".`);
    return team;
  }

  private listing(team: Team): TeamListing {
    return { ...team, usedBy: this.users()(team.name) };
  }

  /** team name → the Procedures whose draft or live version names it. */
  private users(): (team: string) => string[] {
    const byTeam = new Map<string, Set<string>>();
    for (const record of this.workspace.procedures.list()) {
      const texts = [record.draftText, record.live ? (this.workspace.procedures.liveText(record.name) ?? '') : ''];
      for (const team of new Set(texts.flatMap((text) => (text ? procedureFacts(text).teams : [])).map((t) => t.toLowerCase()))) {
        byTeam.set(team, (byTeam.get(team) ?? new Set()).add(record.name));
      }
    }
    return (team) => [...(byTeam.get(team.toLowerCase()) ?? [])].sort();
  }
}
