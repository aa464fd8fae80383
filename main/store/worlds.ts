// Mock worlds: named starting worlds, and the world each mocked conversation ended with.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { checkWorld, type WorldData } from '../../shared/connectors/world';
import { StoreError } from './errors';
import { now } from './hash';

const worldName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a world is named with lowercase letters, digits, "_" and "-", starting with a letter');

export interface StoredWorld {
  name: string;
  description: string;
  world: WorldData;
  updatedAt: string;
}

export class SqliteWorldRepository {
  constructor(private readonly db: Database.Database) {}

  /** Adds a starting world, or replaces the one with the same name. */
  save(name: string, world: unknown, description = ''): StoredWorld {
    const parsedName = worldName.safeParse(name);
    if (!parsedName.success) throw new StoreError(`"${name}" is not a valid world name: ${parsedName.error.issues[0]?.message}.`, 'invalid');
    const data = this.parse(world, `The world "${name}"`);
    const at = now();
    this.db
      .prepare(
        `INSERT INTO worlds (name, description, world, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET description = excluded.description, world = excluded.world, updated_at = excluded.updated_at`,
      )
      .run(name, description, JSON.stringify(data), at);
    // What was stored, as a private copy: later changes to the caller's object do not reach it.
    return { name, description, world: JSON.parse(JSON.stringify(data)) as WorldData, updatedAt: at };
  }

  get(name: string): StoredWorld | null {
    const row = this.db.prepare('SELECT name, description, world, updated_at FROM worlds WHERE name = ?').get(name) as
      | { name: string; description: string; world: string; updated_at: string }
      | undefined;
    return row ? { name: row.name, description: row.description, world: this.parse(JSON.parse(row.world), `The stored world "${row.name}"`), updatedAt: row.updated_at } : null;
  }

  list(): { name: string; description: string; updatedAt: string }[] {
    return (this.db.prepare('SELECT name, description, updated_at FROM worlds ORDER BY name').all() as { name: string; description: string; updated_at: string }[]).map((row) => ({
      name: row.name,
      description: row.description,
      updatedAt: row.updated_at,
    }));
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM worlds WHERE name = ?').run(name).changes > 0;
  }

  /** Keeps the world a mocked conversation has now (called after each change, so the last write is its final world). */
  saveFinal(conversationId: number, world: unknown, startedFrom: string | null): void {
    const data = this.parse(world, `The world of conversation ${conversationId}`);
    this.db
      .prepare(
        `INSERT INTO conversation_worlds (conversation_id, started_from, world, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET world = excluded.world, updated_at = excluded.updated_at`,
      )
      .run(conversationId, startedFrom, JSON.stringify(data), now());
  }

  /** The world a mocked conversation ended with, or null if it never changed one. */
  final(conversationId: number): { startedFrom: string | null; world: WorldData } | null {
    const row = this.db.prepare('SELECT started_from, world FROM conversation_worlds WHERE conversation_id = ?').get(conversationId) as { started_from: string | null; world: string } | undefined;
    return row ? { startedFrom: row.started_from, world: this.parse(JSON.parse(row.world), `The world of conversation ${conversationId}`) } : null;
  }

  private parse(world: unknown, where: string): WorldData {
    try {
      return checkWorld(world, where);
    } catch (error) {
      throw new StoreError((error as Error).message, 'invalid');
    }
  }
}
