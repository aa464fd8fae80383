// Workspace settings: small JSON documents by key (model roles and limits, escalation policy…).
// Each caller validates its own document with zod; secrets never go here.
import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from './errors';
import { now } from './hash';

export class SqliteSettingsRepository {
  constructor(private readonly db: Database.Database) {}

  /** The stored document, validated; `fallback` when nothing is stored. */
  get<S extends z.ZodType>(key: string, schema: S, fallback: z.input<S>): z.output<S> {
    const raw = this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
    const parsed = schema.safeParse(raw === undefined ? fallback : JSON.parse(raw));
    if (!parsed.success) throw new StoreError(`The "${key}" settings are not valid: ${describeZodError(parsed.error)}`, 'invalid');
    return parsed.data;
  }

  set<S extends z.ZodType>(key: string, schema: S, value: z.input<S>): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new StoreError(`The "${key}" settings are not valid: ${describeZodError(parsed.error)}`, 'invalid');
    this.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(parsed.data), now());
    return parsed.data;
  }
}
