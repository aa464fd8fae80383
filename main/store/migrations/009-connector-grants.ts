import type { Migration } from './migration';

// What the local user allowed each connector to do: run its command, read a secret (and send it
// where the definition sends it), reach internal addresses. `scope` holds exactly what was allowed
// (the command line, the hosts), so a definition changed later is no longer covered and must be
// approved again. Grants go with their connector.
export const connectorGrants: Migration = {
  version: 9,
  name: 'connector grants',
  sql: `
    CREATE TABLE connector_grants (
      connector  TEXT NOT NULL REFERENCES connectors(name) ON DELETE CASCADE ON UPDATE CASCADE,
      kind       TEXT NOT NULL CHECK (kind IN ('command', 'secret', 'internal-hosts')),
      name       TEXT NOT NULL DEFAULT '',
      scope      TEXT NOT NULL,
      granted_by TEXT NOT NULL,
      granted_at TEXT NOT NULL,
      PRIMARY KEY (connector, kind, name)
    ) STRICT;
  `,
};
