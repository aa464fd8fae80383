// The human teams a Procedure may hand off to (`@handoff Claims team`).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError } from './errors';

export const teamSchema = z.strictObject({ name: z.string().trim().min(1).max(200), description: z.string().default('') });
export type Team = z.infer<typeof teamSchema>;

export class SqliteTeamRepository {
  constructor(private readonly db: Database.Database) {}

  save(input: unknown): Team {
    const parsed = teamSchema.safeParse(input);
    if (!parsed.success) throw new StoreError(`A team needs a name: ${parsed.error.issues[0]?.message}`, 'invalid');
    this.db
      .prepare('INSERT INTO teams (name, description) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET description = excluded.description')
      .run(parsed.data.name, parsed.data.description);
    return parsed.data;
  }

  list(): Team[] {
    return this.db.prepare('SELECT name, description FROM teams ORDER BY name').all() as Team[];
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM teams WHERE name = ?').run(name).changes > 0;
  }
}
