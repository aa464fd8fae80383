// Connector definitions, validated on the way in and on the way out.
import type Database from 'better-sqlite3';
import { connectorDefinitionSchema, type ConnectorDefinition, type ConnectorDefinitionInput } from '../../shared/connectors/definition';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from './errors';
import { now } from './hash';

export class SqliteConnectorRepository {
  constructor(private readonly db: Database.Database) {}

  /** Adds a connector, or replaces the one with the same name. */
  save(input: ConnectorDefinitionInput | unknown): ConnectorDefinition {
    const parsed = connectorDefinitionSchema.safeParse(input);
    if (!parsed.success) {
      const name = typeof (input as { name?: unknown })?.name === 'string' ? ` "${(input as { name: string }).name}"` : '';
      throw new StoreError(`Connector${name} is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    }
    const definition = parsed.data;
    const at = now();
    this.db
      .prepare(
        `INSERT INTO connectors (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
      )
      .run(definition.name, JSON.stringify(definition), at, at);
    return definition;
  }

  get(name: string): ConnectorDefinition | null {
    const row = this.db.prepare('SELECT definition FROM connectors WHERE name = ?').pluck().get(name) as string | undefined;
    return row === undefined ? null : this.decode(name, row);
  }

  list(): ConnectorDefinition[] {
    const rows = this.db.prepare('SELECT name, definition FROM connectors ORDER BY name').all() as { name: string; definition: string }[];
    return rows.map((row) => this.decode(row.name, row.definition));
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM connectors WHERE name = ?').run(name).changes > 0;
  }

  private decode(name: string, json: string): ConnectorDefinition {
    const parsed = connectorDefinitionSchema.safeParse(JSON.parse(json));
    if (!parsed.success) throw new StoreError(`The stored connector "${name}" is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    return parsed.data;
  }
}
