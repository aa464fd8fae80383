// What the local user allowed each connector to do (docs/bundles.md, "Approving capabilities").
// A grant names one capability and keeps its exact scope; whether it still covers the connector's
// definition is decided by main/connectors/capabilities.ts.
import type Database from 'better-sqlite3';
import { StoreError } from './errors';
import { now } from './hash';

export type GrantKind = 'command' | 'secret' | 'internal-hosts';

export interface ConnectorGrant {
  connector: string;
  kind: GrantKind;
  /** The secret's name; '' for a command or internal hosts. */
  name: string;
  /** Exactly what was allowed: the command line, or the hosts a secret is sent to or that may be internal. */
  scope: string;
  /** How it was granted: "added locally", "import of <bundle>", "connectors approve"… */
  grantedBy: string;
  grantedAt: string;
}

interface Row {
  connector: string;
  kind: GrantKind;
  name: string;
  scope: string;
  granted_by: string;
  granted_at: string;
}

export class SqliteConnectorGrantRepository {
  constructor(private readonly db: Database.Database) {}

  /** Grants (or re-grants with a new scope) one capability of an existing connector. */
  grant(grant: Omit<ConnectorGrant, 'grantedAt'>): void {
    const exists = this.db.prepare('SELECT 1 FROM connectors WHERE name = ?').pluck().get(grant.connector);
    if (!exists) throw new StoreError(`There is no connector "${grant.connector}" to approve anything for.`, 'not-found');
    this.db
      .prepare(
        `INSERT INTO connector_grants (connector, kind, name, scope, granted_by, granted_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (connector, kind, name) DO UPDATE SET scope = excluded.scope, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
      )
      .run(grant.connector, grant.kind, grant.name, grant.scope, grant.grantedBy, now());
  }

  revoke(connector: string, kind: GrantKind, name = ''): boolean {
    return this.db.prepare('DELETE FROM connector_grants WHERE connector = ? AND kind = ? AND name = ?').run(connector, kind, name).changes > 0;
  }

  list(connector: string): ConnectorGrant[] {
    const rows = this.db.prepare('SELECT * FROM connector_grants WHERE connector = ? ORDER BY kind, name').all(connector) as Row[];
    return rows.map(fromRow);
  }
}

function fromRow(row: Row): ConnectorGrant {
  return { connector: row.connector, kind: row.kind, name: row.name, scope: row.scope, grantedBy: row.granted_by, grantedAt: row.granted_at };
}
