// Procedures: each has one editable draft and an immutable, numbered history of published
// versions. The live version is the latest published one; editing the draft never changes it.
import type Database from 'better-sqlite3';
import { procedureNameProblem } from '../../shared/procedure/name';
import { procedureFacts, referencedProcedures, renameInText } from '../../shared/procedure/text';
import { StoreError } from './errors';
import { contentHash, now } from './hash';
import { writeTransaction } from './write-transaction';

export interface ProcedureRecord {
  id: number;
  /** The draft's name: what the author sees and edits. */
  name: string;
  draftText: string;
  draftHash: string;
  createdAt: string;
  updatedAt: string;
  /** The latest published version, or null if never published. */
  live: VersionSummary | null;
}

export interface VersionSummary {
  version: number;
  name: string;
  contentHash: string;
  note: string;
  author: string | null;
  publishedAt: string;
  /** For a rollback: the version whose text this one publishes again. */
  republishes: number | null;
}

export interface VersionRecord extends VersionSummary {
  text: string;
}

interface ProcedureRow {
  id: number;
  name: string;
  draft_text: string;
  draft_hash: string;
  created_at: string;
  updated_at: string;
}

interface VersionRow {
  version: number;
  name: string;
  text?: string;
  content_hash: string;
  note: string;
  author: string | null;
  published_at: string;
  republishes: number | null;
}

export interface PublishOptions {
  note?: string;
  author?: string;
  /** The content hash of the draft the caller saw: publish only if the draft is still that text. */
  expectedHash?: string;
}

const VERSION_COLUMNS = 'version, name, content_hash, note, author, published_at, republishes';

export class SqliteProcedureRepository {
  constructor(private readonly db: Database.Database) {}

  /** Creates a Procedure whose draft is `text`; its name comes from the front matter. */
  create(text: string): ProcedureRecord {
    const name = requireName(text);
    return writeTransaction(this.db, () => {
      this.assertNameFree(name);
      const at = now();
      this.db
        .prepare('INSERT INTO procedures (name, draft_text, draft_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(name, text, contentHash(text), at, at);
      return this.require(name);
    });
  }

  get(name: string): ProcedureRecord | null {
    const row = this.db.prepare('SELECT * FROM procedures WHERE name = ?').get(name) as ProcedureRow | undefined;
    return row ? this.toRecord(row) : null;
  }

  require(name: string): ProcedureRecord {
    const record = this.get(name);
    if (record) return record;
    const known = this.names();
    const close = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const hint = close ? ` Did you mean "${close}"?` : known.length > 0 ? ` Procedures in this workspace: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}.` : ' The workspace has no Procedures yet.';
    throw new StoreError(`There is no Procedure called "${name}".${hint}`, 'not-found');
  }

  /** The current name of the Procedure with this id (a published version keeps the name it had). */
  nameOf(id: number): string {
    const name = this.db.prepare('SELECT name FROM procedures WHERE id = ?').pluck().get(id) as string | undefined;
    if (name === undefined) throw new StoreError(`There is no Procedure with id ${id}.`, 'not-found');
    return name;
  }

  list(): ProcedureRecord[] {
    return (this.db.prepare('SELECT * FROM procedures ORDER BY name').all() as ProcedureRow[]).map((row) => this.toRecord(row));
  }

  /**
   * Each Procedure's name with the content hashes of its draft and live version: enough to tell
   * whether a cached copy is still current without reading any text.
   */
  hashes(): { name: string; draftHash: string; liveHash: string | null }[] {
    return this.db
      .prepare(
        `SELECT p.name AS name, p.draft_hash AS draftHash,
                (SELECT v.content_hash FROM procedure_versions v WHERE v.procedure_id = p.id ORDER BY v.version DESC LIMIT 1) AS liveHash
         FROM procedures p ORDER BY p.name`,
      )
      .all() as { name: string; draftHash: string; liveHash: string | null }[];
  }

  names(): string[] {
    return (this.db.prepare('SELECT name FROM procedures ORDER BY name').pluck().all() as string[]);
  }

  /**
   * Replaces the draft. If the text names the Procedure differently, the Procedure is renamed;
   * a name another Procedure already has is refused (and nothing is saved).
   */
  saveDraft(name: string, text: string): ProcedureRecord {
    const newName = procedureFacts(text).name;
    return writeTransaction(this.db, () => {
      const record = this.require(name);
      const savedName = newName ?? record.name;
      if (savedName !== record.name) this.assertNameFree(savedName);
      this.db
        .prepare('UPDATE procedures SET name = ?, draft_text = ?, draft_hash = ?, updated_at = ? WHERE id = ?')
        .run(savedName, text, contentHash(text), now(), record.id);
      return this.require(savedName);
    });
  }

  /**
   * Publishes the draft as a new version. Refused when the draft does not parse or is the same
   * text as the live version, and, with `expectedHash`, when the draft is no longer the text the
   * caller saw. (Checks against the rest of the workspace are the caller's job.)
   */
  publish(name: string, options: PublishOptions = {}): VersionRecord {
    return writeTransaction(this.db, () => {
      const record = this.require(name);
      if (options.expectedHash !== undefined && record.draftHash !== options.expectedHash) throw draftChanged(name);
      const facts = procedureFacts(record.draftText);
      if (facts.errors.length > 0) {
        const first = facts.errors[0]!;
        throw new StoreError(`"${name}" was not published: its draft has ${facts.errors.length} error${facts.errors.length === 1 ? '' : 's'}, the first at line ${first.line}: ${first.message}`, 'invalid');
      }
      if (!facts.name) throw new StoreError(`"${name}" was not published: its draft has no name in the front matter.`, 'invalid');
      if (record.live && record.live.contentHash === record.draftHash) {
        throw new StoreError(`Nothing to publish: the draft of "${name}" is the same as live version ${record.live.version}.`, 'unchanged');
      }
      return this.insertVersion(record.id, facts.name, record.draftText, options.note ?? '', options.author ?? null, null);
    });
  }

  /** Publishes the text of an earlier version again, as a new version. The draft is left alone. */
  rollback(name: string, version: number, options: { note?: string; author?: string } = {}): VersionRecord {
    return writeTransaction(this.db, () => {
      const record = this.require(name);
      const old = this.version(name, version);
      if (record.live && record.live.contentHash === old.contentHash) {
        throw new StoreError(`"${name}" is already live with the text of version ${version} (live version ${record.live.version}).`, 'unchanged');
      }
      const note = options.note ?? `Rollback to version ${version}`;
      return this.insertVersion(record.id, old.name, old.text, note, options.author ?? null, version);
    });
  }

  /** Published versions, newest first. */
  history(name: string): VersionSummary[] {
    const record = this.require(name);
    const rows = this.db.prepare(`SELECT ${VERSION_COLUMNS} FROM procedure_versions WHERE procedure_id = ? ORDER BY version DESC`).all(record.id) as VersionRow[];
    return rows.map(toVersion);
  }

  version(name: string, version: number): VersionRecord {
    const record = this.require(name);
    const row = this.db.prepare(`SELECT ${VERSION_COLUMNS}, text FROM procedure_versions WHERE procedure_id = ? AND version = ?`).get(record.id, version) as
      | VersionRow
      | undefined;
    if (!row) {
      const latest = record.live ? `versions 1 to ${record.live.version}` : 'no published versions yet';
      throw new StoreError(`"${name}" has no version ${version}: it has ${latest}.`, 'not-found');
    }
    return toVersion(row) as VersionRecord;
  }

  liveText(name: string): string | null {
    const record = this.require(name);
    return record.live ? this.version(name, record.live.version).text : null;
  }

  /** A copy with its own name and the same draft; the history is not copied. */
  duplicate(name: string, newName: string = this.freeName(`${name} (copy)`)): ProcedureRecord {
    return writeTransaction(this.db, () => {
      const record = this.require(name);
      this.assertNameFree(newName);
      return this.create(renameInText(record.draftText, { self: newName }));
    });
  }

  /** Deletes a Procedure and its history. Refused while another Procedure references it. */
  delete(name: string): void {
    writeTransaction(this.db, () => {
      const record = this.require(name);
      const callers = this.callersOf(record);
      if (callers.length > 0) {
        const list = callers.map((caller) => `"${caller.name}" (${caller.where.join(' and ')})`).join(', ');
        throw new StoreError(`"${name}" was not deleted: ${list} ${callers.length === 1 ? 'calls' : 'call'} it with [[${name}]]. Remove those calls first.`, 'in-use');
      }
      this.db.prepare('DELETE FROM procedures WHERE id = ?').run(record.id);
    });
  }

  /** Other Procedures whose draft or live version references this one, by its draft or live name. */
  callersOf(record: ProcedureRecord): { name: string; where: string[] }[] {
    const names = new Set([record.name, ...(record.live ? [record.live.name] : [])]);
    const callers: { name: string; where: string[] }[] = [];
    for (const other of this.list()) {
      if (other.id === record.id) continue;
      const where: string[] = [];
      if (referencedProcedures(procedureFacts(other.draftText)).some((called) => names.has(called))) where.push('draft');
      const live = other.live ? this.version(other.name, other.live.version).text : null;
      if (live !== null && referencedProcedures(procedureFacts(live)).some((called) => names.has(called))) where.push('live');
      if (where.length > 0) callers.push({ name: other.name, where });
    }
    return callers;
  }

  /** `base`, or `base 2`, `base 3`… whichever is not taken yet. */
  freeName(base: string): string {
    if (!this.get(base)) return base;
    for (let index = 2; ; index++) if (!this.get(`${base} ${index}`)) return `${base} ${index}`;
  }

  private insertVersion(procedureId: number, name: string, text: string, note: string, author: string | null, republishes: number | null): VersionRecord {
    const next = ((this.db.prepare('SELECT max(version) FROM procedure_versions WHERE procedure_id = ?').pluck().get(procedureId) as number | null) ?? 0) + 1;
    const at = now();
    this.db
      .prepare('INSERT INTO procedure_versions (procedure_id, version, name, text, content_hash, note, author, published_at, republishes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(procedureId, next, name, text, contentHash(text), note, author, at, republishes);
    return { version: next, name, text, contentHash: contentHash(text), note, author, publishedAt: at, republishes };
  }

  private assertNameFree(name: string) {
    const problem = procedureNameProblem(name);
    if (problem) throw new StoreError(problem, 'invalid');
    if (this.get(name)) throw new StoreError(`There is already a Procedure called "${name}": give this one another name.`, 'conflict');
  }

  private toRecord(row: ProcedureRow): ProcedureRecord {
    const live = this.db
      .prepare(`SELECT ${VERSION_COLUMNS} FROM procedure_versions WHERE procedure_id = ? ORDER BY version DESC LIMIT 1`)
      .get(row.id) as VersionRow | undefined;
    return {
      id: row.id,
      name: row.name,
      draftText: row.draft_text,
      draftHash: row.draft_hash,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      live: live ? toVersion(live) : null,
    };
  }
}

/** The draft is not the text the caller saw: someone else saved over it in the meantime. */
export function draftChanged(name: string): StoreError {
  return new StoreError(
    `"${name}" was not published: its draft was changed elsewhere since you read it, so publishing now would publish text you have not seen. Reopen it, check the text and publish again.`,
    'conflict',
  );
}

function requireName(text: string): string {
  const name = procedureFacts(text).name;
  if (!name) throw new StoreError('A Procedure needs a name in its front matter, like `name: Refund request`.', 'invalid');
  return name;
}

function toVersion(row: VersionRow): VersionSummary & { text?: string } {
  return {
    version: row.version,
    name: row.name,
    contentHash: row.content_hash,
    note: row.note,
    author: row.author,
    publishedAt: row.published_at,
    republishes: row.republishes,
    ...(row.text !== undefined ? { text: row.text } : {}),
  };
}
