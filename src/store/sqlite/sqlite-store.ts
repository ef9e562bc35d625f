/**
 * The embedded default store: one SQLite file (WAL mode) through better-sqlite3.
 *
 * Reads walk indexes only: the default TAXII selection (latest version of each object's
 * newest spec version) is a partial index on (collection, date_added), and paging is a
 * keyset on date_added, so a page costs the same at a million objects as at a thousand.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { canonicalHash, canonicalJson, GENESIS_HASH, type Checkpoint } from '../../audit/chain';
import { changeEvent, changeOf, CHECKPOINT_EVERY, CONTENT_READ_ACTIONS } from '../../audit/changes';
import { idsIndexedOneByOne, rangeIndexed, type AuditEvent, type AuditEventInput, type DateAddedRange, type ObjectRef, type StoredAuditEvent } from '../../audit/events';
import { notFound, StoreUnavailable } from '../../errors';
import { formatTimestamp, parseTimestamp } from '../../time';
import { admits, admitsEverything, withheldReason } from '../scope';
import { completedStatus } from '../status';
import { compareSpecVersions, newestSpecVersion } from '../spec-version';
import type {
  AccountPatch,
  AccountRecord,
  AddEnvelope,
  ApiRootRecord,
  CollectionRecord,
  ManifestRecord,
  Micros,
  NewObject,
  AgreementRecord,
  AuditAppender,
  AuditHead,
  AuditQuery,
  SummaryGroup,
  SummaryRow,
  ChangeRecord,
  ObjectQuery,
  ObjectPage,
  ObjectScope,
  ScopeClause,
  Page,
  PartyRecord,
  Role,
  StatusDetail,
  StatusRecord,
  Store,
  TokenRecord,
  VersionSelector,
} from '../store';
import { SqliteAuditWorker } from './audit-appender';
import { SqliteFeeds } from './feeds';
import { MIGRATIONS } from './migrations';
import { binsHolding, rangeBin } from './range-index';

type Row = Record<string, unknown>;

const MANIFEST_COLUMNS = 'id, type, spec_version, version, date_added, tlp';

const STATEMENT_CACHE_LIMIT = 500;
/** How long a connection waits for another's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;


export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  /** `file` is a path, or `:memory:` for a private in-memory database. */
  constructor(private readonly file: string) {
    try {
      this.db = new Database(file);
    } catch (e) {
      throw new StoreUnavailable(`cannot open SQLite database ${file}: ${(e as Error).message}`);
    }
    // Several server processes may share one file (accord serve --workers): wait for the
    // write lock instead of failing at once.
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (file !== ':memory:') this.enableWal();
    this.db.pragma('synchronous = NORMAL');
    // Checkpoint the WAL every ~40 MB instead of every 4 MB: an ingested 1,000-object envelope
    // writes several MB, so the default checkpointed (and synced) after nearly every commit.
    // Measured: 15% less CPU per ingested object; recovery replays at most ~40 MB.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  /**
   * Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at
   * once instead of waiting for it (two processes creating the file together, or any other
   * writer): retry for as long as busy_timeout waits. A file already in WAL mode needs no lock.
   */
  private enableWal(): void {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        this.db.pragma('journal_mode = WAL');
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  }

  private migrate(): void {
    const version = () => this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version(); v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        // Re-read under the write lock: another process opening the same file may have
        // applied this migration since.
        if (version() > v) return;
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  backgroundAuditAppender(warn: (message: string) => void): AuditAppender | undefined {
    // A private in-memory database cannot be shared with another connection.
    return this.file === ':memory:' ? undefined : new SqliteAuditWorker(this.file, (events) => this.appendAuditEvents(events), warn);
  }

  feeds(): SqliteFeeds {
    return new SqliteFeeds(this.db);
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new StoreUnavailable('the SQLite database is closed');
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async secretKey(): Promise<Buffer> {
    const row = this.stmt("SELECT value FROM meta WHERE key = 'secret_key'").get() as Row | undefined;
    if (row) return row.value as Buffer;
    // INSERT OR IGNORE + re-read: two processes starting together agree on one key.
    this.stmt("INSERT OR IGNORE INTO meta (key, value) VALUES ('secret_key', ?)").run(randomBytes(32));
    return (this.stmt("SELECT value FROM meta WHERE key = 'secret_key'").get() as Row).value as Buffer;
  }

  // ---- API roots and collections -------------------------------------------------------

  async upsertApiRoot(r: ApiRootRecord): Promise<void> {
    this.stmt(
      `INSERT INTO api_roots (path, title, description, max_content_length, content_policy, allowed_spec_versions)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET title = excluded.title, description = excluded.description,
         max_content_length = excluded.max_content_length, content_policy = excluded.content_policy,
         allowed_spec_versions = excluded.allowed_spec_versions`,
    ).run(r.path, r.title, r.description ?? null, r.maxContentLength, r.contentPolicy, JSON.stringify(r.allowedSpecVersions));
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return (this.stmt('SELECT * FROM api_roots ORDER BY path').all() as Row[]).map(toApiRoot);
  }

  async getApiRoot(path: string): Promise<ApiRootRecord | undefined> {
    const row = this.stmt('SELECT * FROM api_roots WHERE path = ?').get(path) as Row | undefined;
    return row && toApiRoot(row);
  }

  async upsertCollection(c: CollectionRecord): Promise<void> {
    this.stmt(
      `INSERT INTO collections (id, api_root, title, description, alias, country, media_types) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET api_root = excluded.api_root, title = excluded.title,
         description = excluded.description, alias = excluded.alias, country = excluded.country, media_types = excluded.media_types`,
    ).run(c.id, c.apiRoot, c.title, c.description ?? null, c.alias ?? null, c.country ?? null, JSON.stringify(c.mediaTypes));
  }

  async listCollections(apiRoot?: string): Promise<CollectionRecord[]> {
    const rows =
      apiRoot === undefined
        ? this.stmt('SELECT * FROM collections ORDER BY api_root, title').all()
        : this.stmt('SELECT * FROM collections WHERE api_root = ? ORDER BY title').all(apiRoot);
    return (rows as Row[]).map(toCollection);
  }

  async getCollection(apiRoot: string, idOrAlias: string): Promise<CollectionRecord | undefined> {
    const row = this.stmt('SELECT * FROM collections WHERE api_root = ? AND (id = ? OR alias = ?) ORDER BY id = ? DESC LIMIT 1').get(
      apiRoot,
      idOrAlias,
      idOrAlias,
      idOrAlias,
    ) as Row | undefined;
    return row && toCollection(row);
  }

  // ---- parties, accounts, tokens -------------------------------------------------------

  async upsertParty(p: PartyRecord): Promise<void> {
    this.stmt(
      `INSERT INTO parties (id, name, kind, country, identity_ref) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, country = excluded.country,
         identity_ref = excluded.identity_ref`,
    ).run(p.id, p.name, p.kind, p.country ?? null, p.identityRef ?? null);
  }

  async listParties(): Promise<PartyRecord[]> {
    return (this.stmt('SELECT * FROM parties ORDER BY id').all() as Row[]).map(toParty);
  }

  async getParty(id: string): Promise<PartyRecord | undefined> {
    const row = this.stmt('SELECT * FROM parties WHERE id = ?').get(id) as Row | undefined;
    return row && toParty(row);
  }

  async createAccount(a: AccountRecord): Promise<void> {
    this.stmt(
      `INSERT INTO accounts (id, name, party_id, roles, disabled, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(a.id, a.name, a.partyId, JSON.stringify(a.roles), a.disabled ? 1 : 0, a.passwordHash, a.createdAt, a.updatedAt);
  }

  async getAccount(id: string): Promise<AccountRecord | undefined> {
    const row = this.stmt('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return row && toAccount(row);
  }

  async getAccountByName(name: string): Promise<AccountRecord | undefined> {
    const row = this.stmt('SELECT * FROM accounts WHERE name = ?').get(name) as Row | undefined;
    return row && toAccount(row);
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (this.stmt('SELECT * FROM accounts ORDER BY name').all() as Row[]).map(toAccount);
  }

  async updateAccount(id: string, patch: AccountPatch, now: Micros): Promise<AccountRecord | undefined> {
    const current = await this.getAccount(id);
    if (!current) return undefined;
    const next: AccountRecord = { ...current, ...patch, updatedAt: now };
    this.stmt('UPDATE accounts SET party_id = ?, roles = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE id = ?').run(
      next.partyId,
      JSON.stringify(next.roles),
      next.disabled ? 1 : 0,
      next.passwordHash,
      now,
      id,
    );
    return next;
  }

  async createToken(t: TokenRecord): Promise<void> {
    this.stmt('INSERT INTO tokens (id, account_id, hash, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      t.id,
      t.accountId,
      t.hash,
      t.label,
      t.createdAt,
      t.revokedAt,
    );
  }

  async getTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = this.stmt('SELECT * FROM tokens WHERE hash = ?').get(hash) as Row | undefined;
    return row && toToken(row);
  }

  async listTokens(accountId: string): Promise<TokenRecord[]> {
    return (this.stmt('SELECT * FROM tokens WHERE account_id = ? ORDER BY created_at').all(accountId) as Row[]).map(toToken);
  }

  async revokeToken(id: string, now: Micros): Promise<boolean> {
    return this.stmt('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  // ---- objects ---------------------------------------------------------------------------

  private collectionRid(collectionId: string): number {
    const row = this.stmt('SELECT rid FROM collections WHERE id = ?').get(collectionId) as Row | undefined;
    if (!row) throw notFound('Collection not found', `no collection ${collectionId}`);
    return row.rid as number;
  }

  async addObjects(env: AddEnvelope): Promise<StatusRecord> {
    // IMMEDIATE: take the write lock before reading the clock, so date_added values are
    // handed out in commit order even when several processes write to the same file.
    return this.db.transaction(() => this.addObjectsLocked(env)).immediate();
  }

  private addObjectsLocked(env: AddEnvelope): StatusRecord {
    const coll = this.collectionRid(env.collectionId);
    let last = (this.stmt('SELECT last FROM clock WHERE id = 1').get() as Row).last as number;
    const successes: StatusDetail[] = [];
    const refs: ObjectRef[] = [];
    for (const obj of env.objects) {
      // Most objects in an envelope are new: one probe instead of the three lookups a new
      // version of a known object needs.
      const known = this.stmt('SELECT 1 FROM objects WHERE coll = ? AND id = ? LIMIT 1').get(coll, obj.id) !== undefined;
      const stored = known ? this.storedVersion(coll, obj) : undefined;
      if (stored !== undefined) {
        successes.push({ id: obj.id, version: formatTimestamp(stored), message: 'already stored' });
        refs.push({ id: obj.id, version: formatTimestamp(stored) });
        continue;
      }
      last = Math.max(env.now, last + 1);
      const version = obj.version ?? last;
      if (known) this.insertVersion(coll, obj, version, last);
      else this.insertRow(coll, obj, version, last, { isFirst: true, isLast: true, latestSpec: true });
      const detail = { id: obj.id, version: formatTimestamp(version) };
      successes.push(detail);
      refs.push({ ...detail, date_added: formatTimestamp(last) });
    }
    this.stmt('UPDATE clock SET last = ? WHERE id = 1').run(last);
    const status = completedStatus(env, successes);
    this.stmt('INSERT INTO statuses (id, created_at, body) VALUES (?, ?, ?)').run(status.id, env.now, JSON.stringify(status));
    if (env.audit) this.appendLocked([env.audit(status, refs)]);
    return status;
  }

  /**
   * The version under which this object is already stored, if it is. An object with a
   * version is stored when (id, spec_version, version) is. One without (an SCO with neither
   * `modified` nor `created`) is stored when the identical JSON is: SCO ids are derived
   * from their content, so re-sending one must not add a version.
   */
  private storedVersion(coll: number, obj: NewObject): Micros | undefined {
    const row = (
      obj.version !== null
        ? this.stmt('SELECT version FROM objects WHERE coll = ? AND id = ? AND spec_version = ? AND version = ?').get(coll, obj.id, obj.specVersion, obj.version)
        : this.stmt('SELECT version FROM objects WHERE coll = ? AND id = ? AND spec_version = ? AND json = ? LIMIT 1').get(coll, obj.id, obj.specVersion, obj.json)
    ) as Row | undefined;
    return row?.version as Micros | undefined;
  }

  private insertVersion(coll: number, obj: NewObject, version: Micros, dateAdded: Micros): void {
    const group = this.stmt('SELECT MIN(version) AS mn, MAX(version) AS mx FROM objects WHERE coll = ? AND id = ? AND spec_version = ?').get(
      coll,
      obj.id,
      obj.specVersion,
    ) as { mn: number | null; mx: number | null };
    const isLast = group.mx === null || version > group.mx;
    const isFirst = group.mn === null || version < group.mn;
    if (isLast && group.mx !== null) {
      this.stmt('UPDATE objects SET is_last = 0 WHERE coll = ? AND id = ? AND spec_version = ? AND is_last = 1').run(coll, obj.id, obj.specVersion);
    }
    if (isFirst && group.mn !== null) {
      this.stmt('UPDATE objects SET is_first = 0 WHERE coll = ? AND id = ? AND spec_version = ? AND is_first = 1').run(coll, obj.id, obj.specVersion);
    }
    const newest = newestSpecVersion(this.specVersionsOf(coll, obj.id));
    const latestSpec = newest === undefined || compareSpecVersions(obj.specVersion, newest) >= 0;
    if (newest !== undefined && compareSpecVersions(obj.specVersion, newest) > 0) {
      this.stmt('UPDATE objects SET latest_spec = 0 WHERE coll = ? AND id = ?').run(coll, obj.id);
    }
    this.insertRow(coll, obj, version, dateAdded, { isFirst, isLast, latestSpec });
  }

  private insertRow(coll: number, obj: NewObject, version: Micros, dateAdded: Micros, flags: { isFirst: boolean; isLast: boolean; latestSpec: boolean }): void {
    this.stmt(
      `INSERT INTO objects (coll, id, type, spec_version, version, date_added, is_first, is_last, latest_spec, tlp, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(coll, obj.id, obj.type, obj.specVersion, version, dateAdded, flags.isFirst ? 1 : 0, flags.isLast ? 1 : 0, flags.latestSpec ? 1 : 0, obj.tlp, obj.json);
  }

  private specVersionsOf(coll: number, id: string): string[] {
    return (this.stmt('SELECT DISTINCT spec_version FROM objects WHERE coll = ? AND id = ?').all(coll, id) as Row[]).map(
      (r) => r.spec_version as string,
    );
  }

  // ---- agreements --------------------------------------------------------------------------

  async saveAgreement(a: AgreementRecord): Promise<void> {
    this.db
      .transaction(() => {
        this.stmt('INSERT INTO agreements (id, version, body) VALUES (?, ?, ?) ON CONFLICT(id, version) DO UPDATE SET body = excluded.body').run(
          a.id,
          a.version,
          JSON.stringify(a),
        );
        this.stmt("UPDATE revisions SET value = value + 1 WHERE name = 'agreements'").run();
      })
      .immediate();
  }

  async getAgreement(id: string, version?: number): Promise<AgreementRecord | undefined> {
    const row = (
      version === undefined
        ? this.stmt('SELECT body FROM agreements WHERE id = ? ORDER BY version DESC LIMIT 1').get(id)
        : this.stmt('SELECT body FROM agreements WHERE id = ? AND version = ?').get(id, version)
    ) as Row | undefined;
    return row && (JSON.parse(row.body as string) as AgreementRecord);
  }

  async listAgreements(): Promise<AgreementRecord[]> {
    const rows = this.stmt(
      'SELECT body FROM agreements a WHERE version = (SELECT MAX(version) FROM agreements b WHERE b.id = a.id) ORDER BY id',
    ).all() as Row[];
    return rows.map((r) => JSON.parse(r.body as string) as AgreementRecord);
  }

  async listAgreementVersions(id: string): Promise<AgreementRecord[]> {
    return (this.stmt('SELECT body FROM agreements WHERE id = ? ORDER BY version').all(id) as Row[]).map(
      (r) => JSON.parse(r.body as string) as AgreementRecord,
    );
  }

  async agreementsRevision(): Promise<number> {
    return (this.stmt("SELECT value FROM revisions WHERE name = 'agreements'").get() as Row).value as number;
  }

  async recordChange(c: ChangeRecord): Promise<void> {
    await this.appendAuditEvents([changeEvent(c)]);
  }

  async listChanges(limit: number, afterSeq = 0): Promise<(ChangeRecord & { seq: number })[]> {
    const rows = this.stmt(
      "SELECT body FROM audit_events WHERE json_extract(body, '$.action') >= 'catalog.' AND json_extract(body, '$.action') < 'catalog/' AND seq > ? ORDER BY seq LIMIT ?",
    ).all(afterSeq, limit) as Row[];
    return rows.map((r) => changeOf(JSON.parse(r.body as string) as AuditEvent));
  }

  // ---- the sharing log ------------------------------------------------------------------------

  async appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]> {
    return this.db.transaction(() => this.appendLocked(events)).immediate();
  }

  /** Chains and inserts events; the caller holds the write lock (an IMMEDIATE transaction). */
  private appendLocked(inputs: AuditEventInput[]): AuditEvent[] {
    let head = this.auditHeadSync();
    const out: AuditEvent[] = [];
    for (const { time, ...rest } of inputs) {
      const fields = { ...rest, seq: head.seq + 1, id: randomUUID(), time: formatTimestamp(time), prev_hash: head.hash };
      const body = canonicalJson(fields);
      const hash = canonicalHash(body);
      this.stmt('INSERT INTO audit_events (seq, body, hash) VALUES (?, ?, ?)').run(fields.seq, body, hash);
      if (rangeIndexed(rest)) {
        const lo = parseTimestamp(rest.date_added_range.first) as Micros;
        const hi = parseTimestamp(rest.date_added_range.last) as Micros;
        this.stmt('INSERT INTO audit_ranges (seq, coll, bin, lo, hi) VALUES (?, ?, ?, ?, ?)').run(fields.seq, rest.collection, rangeBin(lo, hi), lo, hi);
      }
      this.indexObjects(fields.seq, idsIndexedOneByOne(rest));
      for (const a of rest.agreements ?? []) this.stmt('INSERT OR IGNORE INTO audit_agreements (agreement, seq) VALUES (?, ?)').run(a, fields.seq);
      if (fields.seq % CHECKPOINT_EVERY === 0) this.stmt('INSERT INTO audit_checkpoints (seq, hash, time) VALUES (?, ?, ?)').run(fields.seq, hash, time);
      head = { seq: fields.seq, hash };
      out.push({ ...fields, hash } as AuditEvent);
    }
    return out;
  }

  /**
   * One lookup row per distinct object an event names. A read event names up to a page of
   * objects, so rows go in multi-row statements of a few fixed sizes (few prepared shapes).
   */
  private indexObjects(seq: number, ids: readonly string[]): void {
    let i = 0;
    for (const size of [64, 16, 4, 1]) {
      while (ids.length - i >= size) {
        const params: unknown[] = [];
        for (const id of ids.slice(i, i + size)) params.push(id, seq);
        this.stmt(`INSERT INTO audit_objects (object_id, seq) VALUES ${Array.from({ length: size }, () => '(?, ?)').join(', ')}`).run(...params);
        i += size;
      }
    }
  }

  /**
   * Every event that names an object: deletes and re-sends through the per-object index;
   * reads and adds through the range index at each date_added the object has (its current
   * versions) or had (as its delete events recorded), each candidate confirmed against the
   * event body.
   */
  private eventsNaming(objectId: string): number[] {
    const seqs = new Set<number>();
    const positions = new Map<string, [string, Micros]>();
    const place = (coll: string, dateAdded: Micros) => positions.set(`${coll} ${dateAdded}`, [coll, dateAdded]);
    for (const r of this.stmt('SELECT e.seq, e.body FROM audit_objects o JOIN audit_events e ON e.seq = o.seq WHERE o.object_id = ?').all(objectId) as Row[]) {
      seqs.add(r.seq as number);
      const e = JSON.parse(r.body as string) as AuditEvent;
      if (e.collection === undefined) continue;
      for (const o of e.objects ?? []) if (o.id === objectId && o.date_added !== undefined) place(e.collection, parseTimestamp(o.date_added) as Micros);
    }
    for (const r of this.stmt('SELECT c.id AS coll, o.date_added FROM collections c JOIN objects o ON o.coll = c.rid AND o.id = ?').all(objectId) as Row[]) {
      place(r.coll as string, r.date_added as Micros);
    }
    const stab = this.stmt(
      `SELECT r.seq FROM audit_ranges r JOIN audit_events e ON e.seq = r.seq
       WHERE r.coll = ? AND r.bin IN (${placeholders(binsHolding(0))}) AND r.lo <= ? AND r.hi >= ?
         AND EXISTS (SELECT 1 FROM json_each(e.body, '$.objects') WHERE json_extract(value, '$.id') = ?)`,
    );
    for (const [coll, d] of positions.values()) {
      for (const r of stab.all(coll, ...binsHolding(d), d, d, objectId) as Row[]) seqs.add(r.seq as number);
    }
    return [...seqs].sort((a, b) => a - b);
  }

  private auditHeadSync(): AuditHead {
    const row = this.stmt('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
    return row ? { seq: row.seq as number, hash: row.hash as string } : { seq: 0, hash: GENESIS_HASH };
  }

  async auditHead(): Promise<AuditHead> {
    return this.auditHeadSync();
  }

  async summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]> {
    const key = group === 'agreement' ? 'g.agreement' : `json_extract(e.body, '$.${group}')`;
    const join = group === 'agreement' ? 'JOIN audit_agreements g ON g.seq = e.seq' : '';
    const params: unknown[] = [...CONTENT_READ_ACTIONS];
    let where = `json_extract(e.body, '$.action') IN (${placeholders(CONTENT_READ_ACTIONS)}) AND json_extract(e.body, '$.outcome') = 'success' AND ${key} IS NOT NULL`;
    if (from !== undefined) {
      where += " AND json_extract(e.body, '$.time') >= ?";
      params.push(formatTimestamp(from));
    }
    if (to !== undefined) {
      where += " AND json_extract(e.body, '$.time') < ?";
      params.push(formatTimestamp(to));
    }
    const rows = this.stmt(
      `SELECT substr(json_extract(e.body, '$.time'), 1, 10) AS day, ${key} AS key,
              SUM(COALESCE(json_array_length(e.body, '$.objects'), 0)) AS objects, COUNT(*) AS requests
       FROM audit_events e ${join} WHERE ${where} GROUP BY day, key ORDER BY day, key`,
    ).all(...params) as Row[];
    return rows.map((r) => ({ day: r.day as string, key: r.key as string, objects: r.objects as number, requests: r.requests as number }));
  }

  async queryAuditEvents(q: AuditQuery): Promise<Page<AuditEvent>> {
    const terms: string[] = [];
    const params: unknown[] = [];
    const field = (name: string, value: string | undefined) => {
      if (value === undefined) return;
      terms.push(`json_extract(body, '$.${name}') = ?`);
      params.push(value);
    };
    if (q.from !== undefined) {
      terms.push("json_extract(body, '$.time') >= ?");
      params.push(formatTimestamp(q.from));
    }
    if (q.to !== undefined) {
      terms.push("json_extract(body, '$.time') < ?");
      params.push(formatTimestamp(q.to));
    }
    field('party', q.party);
    field('account', q.account);
    field('collection', q.collection);
    field('country', q.country);
    field('outcome', q.outcome);
    if (q.action !== undefined) {
      // "objects" matches objects.read and objects.add; an exact action name matches itself.
      terms.push("(json_extract(body, '$.action') = ? OR (json_extract(body, '$.action') >= ? AND json_extract(body, '$.action') < ?))");
      params.push(q.action, `${q.action}.`, `${q.action}/`);
    }
    if (q.agreement !== undefined) {
      if (q.agreement.includes('@')) {
        terms.push('seq IN (SELECT seq FROM audit_agreements WHERE agreement = ?)');
        params.push(q.agreement);
      } else {
        terms.push('seq IN (SELECT seq FROM audit_agreements WHERE agreement >= ? AND agreement < ?)');
        params.push(`${q.agreement}@`, `${q.agreement}A`);
      }
    }
    if (q.objectId !== undefined) {
      terms.push('seq IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(this.eventsNaming(q.objectId)));
    }
    if (q.afterSeq !== undefined) {
      terms.push('seq > ?');
      params.push(q.afterSeq);
    }
    const where = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
    const rows = this.stmt(`SELECT body, hash FROM audit_events ${where} ORDER BY seq LIMIT ?`).all(...params, q.limit + 1) as Row[];
    const more = rows.length > q.limit;
    if (more) rows.pop();
    return { records: rows.map(toEvent), more };
  }

  async readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    const rows = this.stmt('SELECT seq, body, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[];
    if (rows.length === 0) return [];
    const first = rows[0]?.seq as number;
    const last = rows[rows.length - 1]?.seq as number;
    const objects = new Map<number, string[]>();
    for (const r of this.stmt('SELECT seq, object_id FROM audit_objects WHERE seq BETWEEN ? AND ? ORDER BY seq, object_id').all(first, last) as Row[]) {
      const list = objects.get(r.seq as number) ?? [];
      list.push(r.object_id as string);
      objects.set(r.seq as number, list);
    }
    const ranges = new Map<number, { collection: string } & DateAddedRange>();
    for (const r of this.stmt('SELECT seq, coll, lo, hi FROM audit_ranges WHERE seq BETWEEN ? AND ?').all(first, last) as Row[]) {
      ranges.set(r.seq as number, { collection: r.coll as string, first: formatTimestamp(r.lo as number), last: formatTimestamp(r.hi as number) });
    }
    const agreements = new Map<number, string[]>();
    for (const r of this.stmt('SELECT seq, agreement FROM audit_agreements WHERE seq BETWEEN ? AND ? ORDER BY seq, agreement').all(first, last) as Row[]) {
      const list = agreements.get(r.seq as number) ?? [];
      list.push(r.agreement as string);
      agreements.set(r.seq as number, list);
    }
    return rows.map((r) => {
      const event = toEvent(r);
      // The row's own seq is what orders the log: a body moved to another row must not pass.
      if (event.seq !== r.seq) event.seq = r.seq as number;
      const range = ranges.get(r.seq as number);
      return { event, indexed: { objectIds: objects.get(r.seq as number) ?? [], ...(range && { range }), agreements: agreements.get(r.seq as number) ?? [] } };
    });
  }

  async listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]> {
    return (this.stmt('SELECT seq, hash, time FROM audit_checkpoints ORDER BY seq').all() as Row[]).map((r) => ({
      seq: r.seq as number,
      hash: r.hash as string,
      time: r.time as number,
    }));
  }

  async checkpoint(now: Micros): Promise<Checkpoint | undefined> {
    return this.db
      .transaction(() => {
        const head = this.auditHeadSync();
        const last = this.stmt('SELECT MAX(seq) AS seq FROM audit_checkpoints').get() as { seq: number | null };
        if (head.seq === 0 || (last.seq ?? 0) >= head.seq) return undefined;
        this.stmt('INSERT INTO audit_checkpoints (seq, hash, time) VALUES (?, ?, ?)').run(head.seq, head.hash, now);
        return head;
      })
      .immediate();
  }

  async getStatus(id: string): Promise<StatusRecord | undefined> {
    const row = this.stmt('SELECT body FROM statuses WHERE id = ?').get(id) as Row | undefined;
    return row && (JSON.parse(row.body as string) as StatusRecord);
  }

  async queryObjects(q: ObjectQuery): Promise<ObjectPage> {
    // The page's JSON is joined inside SQLite and comes back as one blob, the records as one
    // JSON array: per row, nothing reaches JavaScript but what the records need. Both
    // aggregates consume the page query's rows in its date_added order (SQLite feeds an
    // aggregate in its subquery's order; the store contract tests check the result's order).
    // An ORDER BY inside the aggregates would sort the JSON again, at several times the cost.
    let json: Buffer = Buffer.alloc(0);
    const page = this.page(`${MANIFEST_COLUMNS}, json`, q, (sql, params, n) => {
      const row = this.stmt(
        `SELECT CAST(group_concat(json, ',') AS BLOB) AS json, json_group_array(json_array(id, type, spec_version, version, date_added, tlp, octet_length(json))) AS records FROM (${sql})`,
      ).get(...params) as { json: Buffer | null; records: string };
      const records = JSON.parse(row.records) as [string, string, string, number, number, number, number][];
      json = row.json ?? json;
      // The row beyond the page (fetched to know whether there is more) is cut off the end.
      const beyond = records.length === n ? records[n - 1] : undefined;
      if (beyond) json = json.subarray(0, json.length - beyond[6] - 1);
      return records.map(([id, type, spec_version, version, date_added, tlp]) => ({ id, type, spec_version, version, date_added, tlp }));
    });
    return { ...page, json };
  }

  async queryManifest(q: ObjectQuery): Promise<Page<ManifestRecord>> {
    return this.page(MANIFEST_COLUMNS, q, (sql, params) => this.stmt(sql).all(...params) as Row[]);
  }

  /**
   * A page of records: `fetch` runs the page query (`sql`, ordered by date_added, at most
   * `n` rows: one beyond the page, to know whether there is more) and returns its rows.
   */
  private page(columns: string, q: ObjectQuery, fetch: (sql: string, params: unknown[], n: number) => Row[]): Page<ManifestRecord> {
    const coll = this.ridOrUndefined(q.collectionId);
    if (coll === undefined) return { records: [], more: false };
    const where = selection(q.versions, q.specVersions, q.scope);
    const params: unknown[] = [coll];
    // With ids, the id index finds the few rows (sorted after). Without statistics SQLite
    // would rather walk a whole collection (or a TLP level) in date_added order to skip
    // that sort: a second per request at a million objects. So it is named.
    let sql = `SELECT ${columns} FROM objects${q.ids?.length ? ' INDEXED BY objects_version' : ''} WHERE coll = ?`;
    const after = Math.max(q.addedAfter ?? -Infinity, q.after ?? -Infinity);
    if (after !== -Infinity) {
      sql += ' AND date_added > ?';
      params.push(after);
    }
    if (q.ids?.length) {
      sql += ` AND id IN (${placeholders(q.ids)})`;
      params.push(...q.ids);
    }
    if (q.types?.length) {
      sql += ` AND type IN (${placeholders(q.types)})`;
      params.push(...q.types);
    }
    const defaultSelection = q.versions.last && !q.versions.first && !q.versions.all && q.versions.at.length === 0 && q.specVersions === undefined;
    const byLevel = q.scope !== undefined && defaultSelection && !q.ids?.length && !admitsEverything(q.scope);
    const n = q.limit + 1;
    const query = byLevel ? this.scopedByLevel(sql, params, q.scope as ObjectScope, n) : { sql: `${sql}${where.sql} ORDER BY date_added LIMIT ?`, params: [...params, ...where.params, n] };
    const rows = query ? fetch(query.sql, query.params, n) : [];
    const more = rows.length > q.limit;
    if (more) rows.pop();
    const page: Page<ManifestRecord> = { records: rows.map(toManifest), more };
    if (q.scope && !admitsEverything(q.scope)) {
      const upTo = more ? (rows[rows.length - 1]?.date_added as number | undefined) : undefined;
      page.withheld = byLevel ? this.withheldByLevel(sql, params, q.scope, upTo) : this.withheld(sql, params, q, upTo);
    }
    return page;
  }

  /**
   * A scoped page of the default selection as one ordered index walk per TLP level the scope
   * admits, each at most a page long, merged by date_added: withholding by TLP then costs
   * nothing per withheld object, however many there are. (Type limits stay a filter within
   * each walk.)
   */
  private scopedByLevel(baseSql: string, baseParams: unknown[], scope: ObjectScope, n: number): { sql: string; params: unknown[] } | undefined {
    const levels = [...new Set(scope.clauses.flatMap((c) => c.tlpLevels))].sort((a, b) => a - b);
    const arms: string[] = [];
    const params: unknown[] = [];
    for (const level of levels) {
      // A clause allowing no type admits nothing.
      const clauses = scope.clauses.filter((c) => c.tlpLevels.includes(level) && c.allowTypes?.length !== 0);
      if (clauses.length === 0) continue;
      const typeParams: unknown[] = [];
      const condition = typeCondition(clauses, typeParams);
      const types = condition === '1' ? '' : ` AND ${condition}`;
      arms.push(`SELECT * FROM (${baseSql} AND tlp = ? AND is_last = 1 AND latest_spec = 1${types} ORDER BY date_added LIMIT ?)`);
      params.push(...baseParams, level, ...typeParams, n);
    }
    if (arms.length === 0) return undefined;
    return { sql: `${arms.join(' UNION ALL ')} ORDER BY date_added LIMIT ?`, params: [...params, n] };
  }

  /**
   * withheld() for the default selection: index-only counts per TLP level over the page's
   * range, so counting costs little even when almost everything is withheld. Reasons as
   * withheldReason(): a type no clause admits first, then unmarked or TLP.
   */
  private withheldByLevel(baseSql: string, baseParams: unknown[], scope: ObjectScope, upTo: Micros | undefined): { count: number; reasons: Record<string, number> } {
    const count = baseSql.replace(/^SELECT .* FROM objects WHERE /, 'SELECT COUNT(*) AS n FROM objects WHERE ');
    const range = upTo === undefined ? '' : ' AND date_added <= ?';
    const out = { count: 0, reasons: {} as Record<string, number> };
    const add = (reason: string, n: number) => {
      if (n === 0) return;
      out.count += n;
      out.reasons[reason] = (out.reasons[reason] ?? 0) + n;
    };
    for (const level of [-1, 0, 1, 2, 3, 4]) {
      const anyParams: unknown[] = [];
      const anyType = typeCondition(scope.clauses, anyParams);
      const levelParams: unknown[] = [];
      const levelType = typeCondition(scope.clauses.filter((c) => c.tlpLevels.includes(level)), levelParams);
      const run = (condition: string, conditionParams: unknown[]) =>
        (this.stmt(`${count} AND tlp = ? AND is_last = 1 AND latest_spec = 1${range} AND ${condition}`).get(
          ...baseParams,
          level,
          ...(upTo === undefined ? [] : [upTo]),
          ...conditionParams,
        ) as { n: number }).n;
      if (anyType !== '1') add('type', run(`NOT ${anyType}`, anyParams));
      if (levelType !== '1') add(level === -1 ? 'unmarked' : 'tlp', run(anyType === '1' ? `NOT ${levelType}` : `${anyType} AND NOT ${levelType}`, anyType === '1' ? levelParams : [...anyParams, ...levelParams]));
    }
    return out;
  }

  /** Counts what the scope kept out of the page's range, by reason (for the sharing log). */
  private withheld(baseSql: string, baseParams: unknown[], q: ObjectQuery, upTo: Micros | undefined): { count: number; reasons: Record<string, number> } {
    const scope = q.scope as ObjectScope;
    const unscoped = selection(q.versions, q.specVersions);
    let sql = baseSql.replace(/^SELECT .* FROM objects/, 'SELECT tlp, type, COUNT(*) AS n FROM objects') + unscoped.sql;
    const params = [...baseParams, ...unscoped.params];
    if (upTo !== undefined) {
      sql += ' AND date_added <= ?';
      params.push(upTo);
    }
    const out = { count: 0, reasons: {} as Record<string, number> };
    for (const g of this.stmt(`${sql} GROUP BY tlp, type`).all(...params) as { tlp: number; type: string; n: number }[]) {
      if (admits(scope, g.type, g.tlp)) continue;
      const reason = withheldReason(scope, g.type, g.tlp);
      out.count += g.n;
      out.reasons[reason] = (out.reasons[reason] ?? 0) + g.n;
    }
    return out;
  }

  private ridOrUndefined(collectionId: string): number | undefined {
    const row = this.stmt('SELECT rid FROM collections WHERE id = ?').get(collectionId) as Row | undefined;
    return row?.rid as number | undefined;
  }

  async deleteObject(
    collectionId: string,
    objectId: string,
    versions: VersionSelector,
    specVersions: string[] | undefined,
    scope?: ObjectScope,
    audit?: (removed: ObjectRef[]) => AuditEventInput,
  ): Promise<number> {
    const coll = this.ridOrUndefined(collectionId);
    if (coll === undefined) return 0;
    return this.db
      .transaction(() => {
        const where = selection(versions, specVersions, scope);
        const doomed = this.stmt(`SELECT version, date_added FROM objects INDEXED BY objects_version WHERE coll = ? AND id = ?${where.sql} ORDER BY date_added`).all(coll, objectId, ...where.params) as Row[];
        const removed = this.stmt(`DELETE FROM objects WHERE coll = ? AND id = ?${where.sql}`).run(coll, objectId, ...where.params).changes;
        if (removed > 0) this.refreshFlags(coll, objectId);
        if (removed > 0 && audit) {
          this.appendLocked([audit(doomed.map((r) => ({ id: objectId, version: formatTimestamp(r.version as number), date_added: formatTimestamp(r.date_added as number) })))]);
        }
        return removed;
      })
      .immediate();
  }

  /** Recomputes is_first / is_last / latest_spec for one object after versions were removed. */
  private refreshFlags(coll: number, id: string): void {
    this.stmt(
      `UPDATE objects SET
         is_first = (version = (SELECT MIN(o.version) FROM objects o WHERE o.coll = objects.coll AND o.id = objects.id AND o.spec_version = objects.spec_version)),
         is_last = (version = (SELECT MAX(o.version) FROM objects o WHERE o.coll = objects.coll AND o.id = objects.id AND o.spec_version = objects.spec_version))
       WHERE coll = ? AND id = ?`,
    ).run(coll, id);
    const newest = newestSpecVersion(this.specVersionsOf(coll, id));
    if (newest !== undefined) this.stmt('UPDATE objects SET latest_spec = (spec_version = ?) WHERE coll = ? AND id = ?').run(newest, coll, id);
  }
}

/**
 * The SQL for "some clause admits the row's type" ('1' when a clause admits every type, '0'
 * when none admits any); its parameters are appended to `params`.
 */
function typeCondition(clauses: readonly ScopeClause[], params: unknown[]): string {
  if (clauses.some((c) => c.allowTypes === undefined && !c.denyTypes?.length)) return '1';
  const alternatives = clauses.map((c) => {
    const terms: string[] = [];
    if (c.allowTypes) {
      terms.push(c.allowTypes.length ? `type IN (${placeholders(c.allowTypes)})` : '0');
      params.push(...c.allowTypes);
    }
    if (c.denyTypes?.length) {
      terms.push(`type NOT IN (${placeholders(c.denyTypes)})`);
      params.push(...c.denyTypes);
    }
    return `(${terms.join(' AND ')})`;
  });
  return alternatives.length ? `(${alternatives.join(' OR ')})` : '0';
}

function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/**
 * The SQL for TAXII's version and spec_version selection and the caller's agreement scope.
 * The default (`last`, no spec_version) is written exactly as the partial indexes state it,
 * so SQLite walks an index.
 */
function selection(versions: VersionSelector, specVersions: string[] | undefined, scope?: ObjectScope): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  if (scope) {
    const clauses = scope.clauses
      .filter((c) => c.tlpLevels.length > 0)
      .map((c) => {
        params.push(...c.tlpLevels);
        const clause = `tlp IN (${placeholders(c.tlpLevels)})`;
        const types = typeCondition([c], params);
        return types === '1' ? `(${clause})` : `(${clause} AND ${types})`;
      });
    sql += clauses.length ? ` AND (${clauses.join(' OR ')})` : ' AND 0';
  }
  if (!versions.all) {
    const terms: string[] = [];
    if (versions.last) terms.push('is_last = 1');
    if (versions.first) terms.push('is_first = 1');
    if (versions.at.length) {
      terms.push(`version IN (${placeholders(versions.at)})`);
      params.push(...versions.at);
    }
    sql += terms.length === 1 ? ` AND ${terms[0]}` : ` AND (${terms.join(' OR ')})`;
  }
  if (specVersions === undefined) sql += ' AND latest_spec = 1';
  else {
    sql += ` AND spec_version IN (${placeholders(specVersions)})`;
    params.push(...specVersions);
  }
  return { sql, params };
}

function toApiRoot(r: Row): ApiRootRecord {
  return {
    path: r.path as string,
    title: r.title as string,
    ...(r.description !== null && { description: r.description as string }),
    maxContentLength: r.max_content_length as number,
    contentPolicy: r.content_policy as ApiRootRecord['contentPolicy'],
    allowedSpecVersions: JSON.parse(r.allowed_spec_versions as string) as string[],
  };
}

function toCollection(r: Row): CollectionRecord {
  return {
    id: r.id as string,
    apiRoot: r.api_root as string,
    title: r.title as string,
    ...(r.description !== null && { description: r.description as string }),
    ...(r.alias !== null && { alias: r.alias as string }),
    ...(r.country !== null && { country: r.country as string }),
    mediaTypes: JSON.parse(r.media_types as string) as string[],
  };
}

function toParty(r: Row): PartyRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    kind: r.kind as string,
    ...(r.country !== null && { country: r.country as string }),
    ...(r.identity_ref !== null && { identityRef: r.identity_ref as string }),
  };
}

function toAccount(r: Row): AccountRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    partyId: r.party_id as string,
    roles: JSON.parse(r.roles as string) as Role[],
    disabled: r.disabled === 1,
    passwordHash: r.password_hash as string | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

function toToken(r: Row): TokenRecord {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    hash: r.hash as string,
    label: r.label as string,
    createdAt: r.created_at as number,
    revokedAt: r.revoked_at as number | null,
  };
}

function toManifest(r: Row): ManifestRecord {
  return {
    id: r.id as string,
    type: r.type as string,
    specVersion: r.spec_version as string,
    version: r.version as number,
    dateAdded: r.date_added as number,
    tlp: r.tlp as number,
  };
}

function toEvent(r: Row): AuditEvent {
  return { ...(JSON.parse(r.body as string) as Omit<AuditEvent, 'hash'>), hash: r.hash as string };
}
