/**
 * STIX objects in SQLite: adding an envelope (date_added from the clock row, version flags
 * kept right, the status and its sharing-log event in the same transaction), pages and
 * manifests (paging.ts), statuses, and deleting versions.
 */
import type { AuditEventInput, ObjectRef } from '../../audit/events';
import { addOutcome } from '../../access/ownership';
import { changeEvent } from '../../audit/changes';
import type { ChangeRecord } from '../../catalog/types';
import { fail } from '../../errors';
import { formatTimestamp, type Micros } from '../../time';
import type {
  AddEnvelope,
  ManifestRecord,
  NewObject,
  ObjectPage,
  ObjectQuery,
  ObjectScope,
  ObjectStore,
  StatusDetail,
  StatusRecord,
  VersionSelector,
} from '../object-store';
import type { Page } from '../page';
import { compareSpecVersions, newestSpecVersion } from '../spec-version';
import { levelBit, levelMask } from '../scope';
import { completedStatus } from '../status';
import type { SqliteAudit } from './audit';
import type { Row, SqliteDatabase } from './database';
import { NEWER_LEVELS_OF_ROW, OLDER_LEVELS_OF_ROW } from './migrations';
import { page, ridOf, selection } from './paging';

const MANIFEST_COLUMNS = 'id, type, spec_version, version, version_text, date_added, tlp';

export class SqliteObjects implements ObjectStore {
  constructor(
    private readonly db: SqliteDatabase,
    /** The sharing log: adds and deletes append their event inside their own transaction. */
    private readonly audit: SqliteAudit,
  ) {}

  async addObjects(env: AddEnvelope): Promise<StatusRecord> {
    // IMMEDIATE: take the write lock before reading the clock, so date_added values are
    // handed out in commit order even when several processes write to the same file.
    return this.db.write(() => this.addObjectsLocked(env));
  }

  async rehearseAdd(env: AddEnvelope): Promise<StatusRecord> {
    return this.db.rehearse(() => this.addObjectsLocked(env));
  }

  private addObjectsLocked(env: AddEnvelope): StatusRecord {
    const coll = ridOf(this.db, env.collectionId);
    if (coll === undefined) throw fail('missing-collection', `no collection ${env.collectionId}`);
    let last = (this.db.stmt('SELECT last FROM clock WHERE id = 1').get() as Row).last as number;
    const successes: StatusDetail[] = [];
    const refused: StatusDetail[] = [];
    const refs: ObjectRef[] = [];
    for (const obj of env.objects) {
      // Most objects in an envelope are new: one probe instead of the three lookups a new
      // version of a known object needs.
      const { known, owner } = this.ownership(coll, obj.id);
      const stored = known ? this.storedVersion(coll, obj) : undefined;
      const outcome = addOutcome(obj, { party: env.partyId, owner, known, storedTlp: stored?.tlp, visible: env.visible });
      if (outcome.kind === 'fail') {
        refused.push({ id: obj.id, version: formatTimestamp(obj.version ?? env.requestTimestamp), message: `${obj.id}: ${outcome.message}` });
        continue;
      }
      if (outcome.kind === 'already' && stored !== undefined) {
        successes.push({ id: obj.id, version: formatTimestamp(stored.version), message: 'already stored' });
        refs.push({ id: obj.id, version: formatTimestamp(stored.version) });
        continue;
      }
      last = Math.max(env.now, last + 1);
      const version = obj.version ?? last;
      // The first party to store an id owns it: its rows say so (ownership()).
      const row = { ...obj, owner: owner ?? env.partyId };
      if (known) this.insertVersion(coll, row, version, last);
      else this.insertRow(coll, row, version, last, { isFirst: true, isLast: true, latestSpec: true });
      const detail = { id: obj.id, version: formatTimestamp(version) };
      successes.push(detail);
      // Keys in canonical order: the log hashes the event's canonical JSON, and a list already
      // in order is written whole (src/audit/chain.ts): 1.3 ms for 1,000 versions otherwise, 0.5 ms so.
      refs.push({ date_added: formatTimestamp(last), ...detail });
    }
    this.db.stmt('UPDATE clock SET last = ? WHERE id = 1').run(last);
    const status = completedStatus(env, successes, refused);
    this.db.stmt('INSERT INTO statuses (id, created_at, body) VALUES (?, ?, ?)').run(status.id, env.now, JSON.stringify(status));
    this.audit.appendLocked([env.audit(status, refs)]);
    return status;
  }

  /**
   * Whether the collection holds a version of an id, and the party that owns the id: as its
   * rows say, else as object_owners says (ids stored before the rows said, and ids whose
   * versions were all deleted: deleteObject keeps their owner there).
   */
  private ownership(coll: number, id: string): { known: boolean; owner: string | undefined } {
    const rows = this.db.stmt('SELECT COUNT(*) AS n, MAX(owner) AS owner FROM objects WHERE coll = ? AND id = ?').get(coll, id) as Row;
    const owner =
      (rows.owner as string | null) ??
      ((this.db.stmt('SELECT party FROM object_owners WHERE coll = ? AND id = ?').get(coll, id) as Row | undefined)?.party as string | undefined);
    return { known: (rows.n as number) > 0, owner };
  }

  async ownerOf(collectionId: string, objectId: string): Promise<string | undefined> {
    const coll = ridOf(this.db, collectionId);
    return coll === undefined ? undefined : this.ownership(coll, objectId).owner;
  }

  async setOwner(collectionId: string, objectId: string, party: string, change: ChangeRecord): Promise<boolean> {
    const coll = ridOf(this.db, collectionId);
    if (coll === undefined) return false;
    return this.db.write(() => {
      if (this.db.stmt('SELECT 1 FROM objects WHERE coll = ? AND id = ? LIMIT 1').get(coll, objectId) === undefined) return false;
      this.db.stmt('UPDATE objects SET owner = ? WHERE coll = ? AND id = ?').run(party, coll, objectId);
      this.db.stmt('DELETE FROM object_owners WHERE coll = ? AND id = ?').run(coll, objectId);
      this.audit.appendLocked([changeEvent(change)]);
      return true;
    });
  }

  /**
   * The version under which this object is already stored, if it is. An object with a
   * version is stored when (id, spec_version, version) is. One without (an SCO with neither
   * `modified` nor `created`) is stored when the identical JSON is: SCO ids are derived
   * from their content, so re-sending one must not add a version.
   */
  private storedVersion(coll: number, obj: NewObject): { version: Micros; tlp: number } | undefined {
    const row = (
      obj.version !== null
        ? this.db
            .stmt('SELECT version, tlp FROM objects WHERE coll = ? AND id = ? AND spec_version = ? AND version = ?')
            .get(coll, obj.id, obj.specVersion, obj.version)
        : this.db
            .stmt('SELECT version, tlp FROM objects WHERE coll = ? AND id = ? AND spec_version = ? AND json = ? LIMIT 1')
            .get(coll, obj.id, obj.specVersion, obj.json)
    ) as Row | undefined;
    return row && { version: row.version as Micros, tlp: row.tlp as number };
  }

  private insertVersion(coll: number, obj: NewObject & { owner: string }, version: Micros, dateAdded: Micros): void {
    const group = this.db
      .stmt('SELECT MIN(version) AS mn, MAX(version) AS mx FROM objects WHERE coll = ? AND id = ? AND spec_version = ?')
      .get(coll, obj.id, obj.specVersion) as { mn: number | null; mx: number | null };
    const isLast = group.mx === null || version > group.mx;
    const isFirst = group.mn === null || version < group.mn;
    if (isLast && group.mx !== null) {
      this.db
        .stmt('UPDATE objects SET is_last = 0 WHERE coll = ? AND id = ? AND spec_version = ? AND is_last = 1')
        .run(coll, obj.id, obj.specVersion);
    }
    if (isFirst && group.mn !== null) {
      this.db
        .stmt('UPDATE objects SET is_first = 0 WHERE coll = ? AND id = ? AND spec_version = ? AND is_first = 1')
        .run(coll, obj.id, obj.specVersion);
    }
    const newest = newestSpecVersion(this.specVersionsOf(coll, obj.id));
    const latestSpec = newest === undefined || compareSpecVersions(obj.specVersion, newest) >= 0;
    if (newest !== undefined && compareSpecVersions(obj.specVersion, newest) > 0) {
      this.db.stmt('UPDATE objects SET latest_spec = 0 WHERE coll = ? AND id = ?').run(coll, obj.id);
    }
    // newer_levels / older_levels: the levels of the newer / older versions ("last" and "first"
    // as each caller sees them, paging.ts): the versions on the other side gain this one's level.
    const bit = levelBit(obj.tlp);
    for (const [column, side] of [
      ['newer_levels', '<'],
      ['older_levels', '>'],
    ] as const) {
      this.db
        .stmt(
          `UPDATE objects SET ${column} = ${column} | ? WHERE coll = ? AND id = ? AND spec_version = ? AND version ${side} ? AND (${column} & ?) = 0`,
        )
        .run(bit, coll, obj.id, obj.specVersion, version, bit);
    }
    const levels = (side: '<' | '>') =>
      levelMask(
        (
          this.db
            .stmt(`SELECT DISTINCT tlp FROM objects WHERE coll = ? AND id = ? AND spec_version = ? AND version ${side} ?`)
            .all(coll, obj.id, obj.specVersion, version) as Row[]
        ).map((r) => r.tlp as number),
      );
    const newer = isLast ? 0 : levels('>');
    const older = isFirst ? 0 : levels('<');
    this.insertRow(coll, obj, version, dateAdded, { isFirst, isLast, latestSpec }, { newer, older });
  }

  private insertRow(
    coll: number,
    obj: NewObject & { owner: string },
    version: Micros,
    dateAdded: Micros,
    flags: { isFirst: boolean; isLast: boolean; latestSpec: boolean },
    levels = { newer: 0, older: 0 },
  ): void {
    this.db
      .stmt(
        `INSERT INTO objects (coll, id, type, spec_version, version, version_text, date_added, is_first, is_last, latest_spec, tlp, newer_levels, older_levels, json, owner)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        coll,
        obj.id,
        obj.type,
        obj.specVersion,
        version,
        obj.versionText ?? null,
        dateAdded,
        flags.isFirst ? 1 : 0,
        flags.isLast ? 1 : 0,
        flags.latestSpec ? 1 : 0,
        obj.tlp,
        levels.newer,
        levels.older,
        obj.json,
        obj.owner,
      );
  }

  private specVersionsOf(coll: number, id: string): string[] {
    return (this.db.stmt('SELECT DISTINCT spec_version FROM objects WHERE coll = ? AND id = ?').all(coll, id) as Row[]).map(
      (r) => r.spec_version as string,
    );
  }

  async getStatus(id: string): Promise<StatusRecord | undefined> {
    const row = this.db.stmt('SELECT body FROM statuses WHERE id = ?').get(id) as Row | undefined;
    return row && (JSON.parse(row.body as string) as StatusRecord);
  }

  async queryObjects(q: ObjectQuery): Promise<ObjectPage> {
    // The page's JSON is joined inside SQLite and comes back as one blob, the records as one
    // JSON array: per row, nothing reaches JavaScript but what the records need. Both
    // aggregates consume the page query's rows in its date_added order (SQLite feeds an
    // aggregate in its subquery's order; the store contract tests check the result's order).
    // An ORDER BY inside the aggregates would sort the JSON again, at several times the cost.
    let json: Buffer = Buffer.alloc(0);
    const result = page(this.db, `${MANIFEST_COLUMNS}, json`, q, (sql, params, n) => {
      const row = this.db
        .stmt(
          `SELECT CAST(group_concat(json, ',') AS BLOB) AS json, json_group_array(json_array(id, type, spec_version, version, date_added, tlp, octet_length(json))) AS records FROM (${sql})`,
        )
        .get(...params) as { json: Buffer | null; records: string };
      const records = JSON.parse(row.records) as [string, string, string, number, number, number, number][];
      json = row.json ?? json;
      // The row beyond the page (fetched to know whether there is more) is cut off the end.
      const beyond = records.length === n ? records[n - 1] : undefined;
      if (beyond) json = json.subarray(0, json.length - beyond[6] - 1);
      return records.map(([id, type, spec_version, version, date_added, tlp]) => ({ id, type, spec_version, version, date_added, tlp }));
    });
    return { ...result, json };
  }

  async queryManifest(q: ObjectQuery): Promise<Page<ManifestRecord>> {
    return page(this.db, MANIFEST_COLUMNS, q, (sql, params) => this.db.stmt(sql).all(...params) as Row[]);
  }

  async deleteObject(
    collectionId: string,
    objectId: string,
    versions: VersionSelector,
    specVersions: string[] | undefined,
    scope: ObjectScope | undefined,
    audit: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number> {
    const coll = ridOf(this.db, collectionId);
    if (coll === undefined) return 0;
    return this.db.write(() => {
      const where = selection(versions, specVersions, scope);
      const doomed = this.db
        .stmt(`SELECT version, date_added FROM objects INDEXED BY objects_version WHERE coll = ? AND id = ?${where.sql} ORDER BY date_added`)
        .all(coll, objectId, ...where.params) as Row[];
      const { owner } = this.ownership(coll, objectId);
      const removed = this.db.stmt(`DELETE FROM objects WHERE coll = ? AND id = ?${where.sql}`).run(coll, objectId, ...where.params).changes;
      if (removed > 0) this.refreshFlags(coll, objectId);
      // An id keeps its owner when its last version goes: only the owner may add it again.
      if (removed > 0 && owner !== undefined && !this.ownership(coll, objectId).known) {
        this.db
          .stmt('INSERT INTO object_owners (coll, id, party) VALUES (?, ?, ?) ON CONFLICT(coll, id) DO UPDATE SET party = excluded.party')
          .run(coll, objectId, owner);
      }
      if (removed > 0) {
        this.audit.appendLocked([
          audit(
            doomed.map((r) => ({ id: objectId, version: formatTimestamp(r.version as number), date_added: formatTimestamp(r.date_added as number) })),
          ),
        ]);
      }
      return removed;
    });
  }

  /** Recomputes is_first / is_last / latest_spec / newer_levels / older_levels for one object after versions were removed. */
  private refreshFlags(coll: number, id: string): void {
    this.db
      .stmt(
        `UPDATE objects SET
         is_first = (version = (SELECT MIN(o.version) FROM objects o WHERE o.coll = objects.coll AND o.id = objects.id AND o.spec_version = objects.spec_version)),
         is_last = (version = (SELECT MAX(o.version) FROM objects o WHERE o.coll = objects.coll AND o.id = objects.id AND o.spec_version = objects.spec_version))
       WHERE coll = ? AND id = ?`,
      )
      .run(coll, id);
    const newest = newestSpecVersion(this.specVersionsOf(coll, id));
    if (newest !== undefined) this.db.stmt('UPDATE objects SET latest_spec = (spec_version = ?) WHERE coll = ? AND id = ?').run(newest, coll, id);
    this.db
      .stmt(`UPDATE objects SET newer_levels = ${NEWER_LEVELS_OF_ROW}, older_levels = ${OLDER_LEVELS_OF_ROW} WHERE coll = ? AND id = ?`)
      .run(coll, id);
  }
}
