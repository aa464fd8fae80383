// The human teams a Procedure may hand off to (`@handoff Claims team`), each with a description
// and a handoff note template (what the agent's note to the team should say).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError } from './errors';

export const teamSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  noteTemplate: z.string().max(5000).default(''),
});
export type Team = z.infer<typeof teamSchema>;

const SELECT = 'SELECT name, description, note_template AS noteTemplate FROM teams';

export class SqliteTeamRepository {
  constructor(private readonly db: Database.Database) {}

  /** Creates a team, or updates the description and template of the one with that name. */
  save(input: unknown): Team {
    const parsed = teamSchema.safeParse(input);
    if (!parsed.success) throw new StoreError(`A team needs a name: ${parsed.error.issues[0]?.message}`, 'invalid');
    this.db
      .prepare(
        'INSERT INTO teams (name, description, note_template) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET description = excluded.description, note_template = excluded.note_template',
      )
      .run(parsed.data.name, parsed.data.description, parsed.data.noteTemplate);
    return parsed.data;
  }

  list(): Team[] {
    return this.db.prepare(`${SELECT} ORDER BY name`).all() as Team[];
  }

  /** The team of that name (names compare without case), or null. */
  get(name: string): Team | null {
    return (this.db.prepare(`${SELECT} WHERE name = ?`).get(name) as Team | undefined) ?? null;
  }

  /** Renames a team; refused when another team has the new name. */
  rename(name: string, newName: string): Team {
    const parsedName = teamSchema.shape.name.safeParse(newName);
    if (!parsedName.success) throw new StoreError(`A team needs a name: ${parsedName.error.issues[0]?.message}`, 'invalid');
    const clash = this.get(parsedName.data);
    if (clash && clash.name.toLowerCase() !== name.toLowerCase()) throw new StoreError(`There is already a team called "${clash.name}".`, 'conflict');
    const changed = this.db.prepare('UPDATE teams SET name = ? WHERE name = ?').run(parsedName.data, name).changes;
    if (changed === 0) throw new StoreError(`There is no team called "${name}".`, 'not-found');
    return this.get(parsedName.data)!;
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM teams WHERE name = ?').run(name).changes > 0;
  }
}
