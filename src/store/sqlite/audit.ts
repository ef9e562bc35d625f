/**
 * The sharing log in SQLite: the hash-chained events (`audit_events`, the body stored as the
 * canonical JSON its hash covers, with copies of its query fields as indexed columns) and
 * the lookup tables auditor queries use: audit_objects (events naming an object one by one),
 * audit_ranges (events naming a date_added span, see range-index.ts), audit_agreements, and
 * audit_checkpoints.
 */
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, linkParts, type Checkpoint } from '../../audit/chain';
import { prepareEvent, type PreparedEvent } from '../../audit/prepared';
import { changeOf, CHECKPOINT_EVERY, CONTENT_READ_ACTIONS } from '../../audit/changes';
import { type AuditEvent, type AuditEventInput, QUERY_FIELDS, queryFields, type DateAddedRange, type StoredAuditEvent } from '../../audit/events';
import type { ChangeRecord } from '../../catalog/types';
import { formatTimestamp, parseTimestamp, type Micros } from '../../time';
import type { AuditAppender, AuditHead, AuditQuery, AuditStore, SummaryGroup, SummaryRow } from '../audit-store';
import type { Page } from '../page';
import type { DailyKey, DailyRow, DayRange, WithheldKey, WithheldRow } from '../../audit/daily';
import { SqliteAuditWorker } from './audit-appender';
import { addToDaily, readDaily, readWithheld } from './console-tables';
import { placeholders, type Row, type SqliteDatabase } from './database';
import { binsHolding, rangeBin } from './range-index';

/** Where an appended event went in the chain. */
interface Link {
  seq: number;
  id: string;
  prev: string;
  hash: string;
}

/** An event's row: its body as hashed, the hash, and the copies of its query fields. */
const INSERT_EVENT = `INSERT INTO audit_events (seq, body, hash, ${QUERY_FIELDS.join(', ')}) VALUES (?, ?, ?, ${placeholders(QUERY_FIELDS)})`;

export class SqliteAudit implements AuditStore {
  constructor(private readonly db: SqliteDatabase) {}

  backgroundAuditAppender(warn: (message: string) => void): AuditAppender | undefined {
    // A private in-memory database cannot be shared with another connection.
    return this.db.file === ':memory:' ? undefined : new SqliteAuditWorker(this.db.file, (events) => this.appendAuditEvents(events), warn);
  }

  async probeWrite(now: Micros): Promise<void> {
    this.db.probeWrite(now);
  }

  async listChanges(limit: number, afterSeq = 0): Promise<(ChangeRecord & { seq: number })[]> {
    const rows = this.db
      .stmt("SELECT body FROM audit_events WHERE action >= 'catalog.' AND action < 'catalog/' AND seq > ? ORDER BY seq LIMIT ?")
      .all(afterSeq, limit) as Row[];
    return rows.map((r) => changeOf(JSON.parse(r.body as string) as AuditEvent));
  }

  async appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]> {
    return this.db.write(() => this.appendLocked(events));
  }

  /** Appends events prepared where they were made (the sharing-log writer thread's path). */
  async appendPrepared(events: readonly PreparedEvent[]): Promise<void> {
    this.db.write(() => this.appendPreparedLocked(events));
  }

  /**
   * Chains and inserts events; the caller holds the write lock (an IMMEDIATE transaction).
   * Also the object store's, so that an add or delete commits with its event.
   */
  appendLocked(inputs: AuditEventInput[]): AuditEvent[] {
    const prepared = inputs.map(prepareEvent);
    const links = this.appendPreparedLocked(prepared);
    return inputs.map((input, i) => {
      const { seq, id, prev, hash } = links[i] as Link;
      return { ...input, seq, id, time: (prepared[i] as PreparedEvent).time, prev_hash: prev, hash };
    });
  }

  private appendPreparedLocked(events: readonly PreparedEvent[]): Link[] {
    let head: Checkpoint = this.auditHeadSync();
    const links: Link[] = [];
    for (const e of events) {
      const id = randomUUID();
      const { seq, body, hash } = linkParts(head, e.parts, id);
      this.db.stmt(INSERT_EVENT).run(seq, body, hash, ...QUERY_FIELDS.map((name) => e[name] ?? null));
      if (e.range) {
        const lo = parseTimestamp(e.range.first) as Micros;
        const hi = parseTimestamp(e.range.last) as Micros;
        this.db
          .stmt('INSERT INTO audit_ranges (seq, coll, bin, lo, hi) VALUES (?, ?, ?, ?, ?)')
          .run(seq, e.range.collection, rangeBin(lo, hi), lo, hi);
      }
      this.indexObjects(seq, e.objectIds);
      for (const a of e.agreements) this.db.stmt('INSERT OR IGNORE INTO audit_agreements (agreement, seq) VALUES (?, ?)').run(a, seq);
      if (seq % CHECKPOINT_EVERY === 0) this.db.stmt('INSERT INTO audit_checkpoints (seq, hash, time) VALUES (?, ?, ?)').run(seq, hash, e.micros);
      links.push({ seq, id, prev: head.hash, hash });
      head = { seq, hash };
    }
    // Once per batch: a group commit of reads by one party of one collection is one row update.
    addToDaily(
      (sql) => this.db.stmt(sql),
      events.map((event) => ({ event, time: event.time })),
    );
    return links;
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
        this.db.stmt(`INSERT INTO audit_objects (object_id, seq) VALUES ${Array.from({ length: size }, () => '(?, ?)').join(', ')}`).run(...params);
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
    for (const r of this.db
      .stmt('SELECT e.seq, e.body FROM audit_objects o JOIN audit_events e ON e.seq = o.seq WHERE o.object_id = ?')
      .all(objectId) as Row[]) {
      seqs.add(r.seq as number);
      const e = JSON.parse(r.body as string) as AuditEvent;
      if (e.collection === undefined) continue;
      for (const o of e.objects ?? [])
        if (o.id === objectId && o.date_added !== undefined) place(e.collection, parseTimestamp(o.date_added) as Micros);
    }
    for (const r of this.db
      .stmt('SELECT c.id AS coll, o.date_added FROM collections c JOIN objects o ON o.coll = c.rid AND o.id = ?')
      .all(objectId) as Row[]) {
      place(r.coll as string, r.date_added as Micros);
    }
    const stab = this.db.stmt(
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
    const row = this.db.stmt('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
    return row ? { seq: row.seq as number, hash: row.hash as string } : { seq: 0, hash: GENESIS_HASH };
  }

  async auditHead(): Promise<AuditHead> {
    return this.auditHeadSync();
  }

  async summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]> {
    const key = group === 'agreement' ? 'g.agreement' : `e.${group}`;
    const join = group === 'agreement' ? 'JOIN audit_agreements g ON g.seq = e.seq' : '';
    const params: unknown[] = [...CONTENT_READ_ACTIONS];
    let where = `e.action IN (${placeholders(CONTENT_READ_ACTIONS)}) AND e.outcome = 'success' AND ${key} IS NOT NULL`;
    if (from !== undefined) {
      where += ' AND e.time >= ?';
      params.push(formatTimestamp(from));
    }
    if (to !== undefined) {
      where += ' AND e.time < ?';
      params.push(formatTimestamp(to));
    }
    const rows = this.db
      .stmt(
        `SELECT substr(e.time, 1, 10) AS day, ${key} AS key,
              SUM(COALESCE(json_array_length(e.body, '$.objects'), 0)) AS objects, COUNT(*) AS requests
       FROM audit_events e ${join} WHERE ${where} GROUP BY day, key ORDER BY day, key`,
      )
      .all(...params) as Row[];
    return rows.map((r) => ({ day: r.day as string, key: r.key as string, objects: r.objects as number, requests: r.requests as number }));
  }

  async queryAuditEvents(q: AuditQuery): Promise<Page<AuditEvent>> {
    const terms: string[] = [];
    const params: unknown[] = [];
    const field = (name: string, value: string | undefined) => {
      if (value === undefined) return;
      terms.push(`${name} = ?`);
      params.push(value);
    };
    if (q.from !== undefined) {
      terms.push('time >= ?');
      params.push(formatTimestamp(q.from));
    }
    if (q.to !== undefined) {
      terms.push('time < ?');
      params.push(formatTimestamp(q.to));
    }
    field('party', q.party);
    field('account', q.account);
    field('collection', q.collection);
    field('country', q.country);
    field('outcome', q.outcome);
    if (q.action !== undefined) {
      // "objects" matches objects.read and objects.add; an exact action name matches itself.
      terms.push('(action = ? OR (action >= ? AND action < ?))');
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
      terms.push(q.newestFirst ? 'seq < ?' : 'seq > ?');
      params.push(q.afterSeq);
    }
    const where = terms.length ? `WHERE ${terms.join(' AND ')}` : '';
    const rows = this.db
      .stmt(`SELECT body, hash FROM audit_events ${where} ORDER BY seq ${q.newestFirst ? 'DESC' : ''} LIMIT ?`)
      .all(...params, q.limit + 1) as Row[];
    const more = rows.length > q.limit;
    if (more) rows.pop();
    return { records: rows.map(toEvent), more };
  }

  async readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    const rows = this.db
      .stmt(`SELECT seq, body, hash, ${QUERY_FIELDS.join(', ')} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(afterSeq, limit) as Row[];
    if (rows.length === 0) return [];
    const first = rows[0]?.seq as number;
    const last = rows[rows.length - 1]?.seq as number;
    const objects = new Map<number, string[]>();
    for (const r of this.db
      .stmt('SELECT seq, object_id FROM audit_objects WHERE seq BETWEEN ? AND ? ORDER BY seq, object_id')
      .all(first, last) as Row[]) {
      const list = objects.get(r.seq as number) ?? [];
      list.push(r.object_id as string);
      objects.set(r.seq as number, list);
    }
    const ranges = new Map<number, { collection: string } & DateAddedRange>();
    for (const r of this.db.stmt('SELECT seq, coll, lo, hi FROM audit_ranges WHERE seq BETWEEN ? AND ?').all(first, last) as Row[]) {
      ranges.set(r.seq as number, { collection: r.coll as string, first: formatTimestamp(r.lo as number), last: formatTimestamp(r.hi as number) });
    }
    const agreements = new Map<number, string[]>();
    for (const r of this.db
      .stmt('SELECT seq, agreement FROM audit_agreements WHERE seq BETWEEN ? AND ? ORDER BY seq, agreement')
      .all(first, last) as Row[]) {
      const list = agreements.get(r.seq as number) ?? [];
      list.push(r.agreement as string);
      agreements.set(r.seq as number, list);
    }
    return rows.map((r) => {
      const event = toEvent(r);
      // The row's own seq is what orders the log: a body moved to another row must not pass.
      if (event.seq !== r.seq) event.seq = r.seq as number;
      const range = ranges.get(r.seq as number);
      return {
        event,
        indexed: {
          objectIds: objects.get(r.seq as number) ?? [],
          ...(range && { range }),
          agreements: agreements.get(r.seq as number) ?? [],
          fields: queryFields(r),
        },
      };
    });
  }

  async auditDaily(range: DayRange, by: readonly DailyKey[]): Promise<DailyRow[]> {
    return readDaily((sql) => this.db.stmt(sql), range, by);
  }

  async auditWithheldDaily(range: DayRange, by: readonly WithheldKey[]): Promise<WithheldRow[]> {
    return readWithheld((sql) => this.db.stmt(sql), range, by);
  }

  async listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]> {
    return (this.db.stmt('SELECT seq, hash, time FROM audit_checkpoints ORDER BY seq').all() as Row[]).map((r) => ({
      seq: r.seq as number,
      hash: r.hash as string,
      time: r.time as number,
    }));
  }

  async checkpoint(now: Micros): Promise<Checkpoint | undefined> {
    return this.db.write(() => {
      const head = this.auditHeadSync();
      const last = this.db.stmt('SELECT MAX(seq) AS seq FROM audit_checkpoints').get() as { seq: number | null };
      if (head.seq === 0 || (last.seq ?? 0) >= head.seq) return undefined;
      this.db.stmt('INSERT INTO audit_checkpoints (seq, hash, time) VALUES (?, ?, ?)').run(head.seq, head.hash, now);
      return head;
    });
  }
}

function toEvent(r: Row): AuditEvent {
  return { ...(JSON.parse(r.body as string) as Omit<AuditEvent, 'hash'>), hash: r.hash as string };
}
