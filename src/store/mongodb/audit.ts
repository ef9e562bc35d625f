/**
 * The sharing log in MongoDB: one document per event in `audit_events` (audit-docs.ts), the
 * auditor's queries and summaries, and checkpoints in `audit_checkpoints`.
 */
import { randomUUID } from 'node:crypto';
import { Binary, type ClientSession, type Collection } from 'mongodb';
import type { Checkpoint } from '../../audit/chain';
import { changeOf } from '../../audit/changes';
import { idsIndexedOneByOne, queryFields, rangeIndexed, type AuditEvent, type AuditEventInput, type StoredAuditEvent } from '../../audit/events';
import type { DailyKey, DailyRow, DayRange, WithheldKey, WithheldRow } from '../../audit/daily';
import type { ChangeRecord } from '../../catalog/types';
import type { Micros } from '../../time';
import type { AuditHead, AuditQuery, AuditStore, SummaryGroup, SummaryRow } from '../audit-store';
import type { Page } from '../page';
import {
  type AuditDoc,
  auditFilter,
  chainEvents,
  CHANGES_FILTER,
  type CheckpointDoc,
  headOf,
  type SummaryGroupDoc,
  summaryPipeline,
  toAuditEvent,
  toCheckpoint,
  toSummaryRow,
} from './audit-docs';
import { dailyPipeline, dailyWrites, toDailyRow, toWithheldRow, withheldPipeline, type DailyDoc, type GroupedDoc, type WithheldDoc } from './console';
import type { MongoDatabase } from './database';

const DAILY_BACKFILLED = 'audit_daily_backfilled';

export class MongoAudit implements AuditStore {
  private readonly auditEvents: Collection<AuditDoc>;
  private readonly checkpoints: Collection<CheckpointDoc>;
  private readonly daily: Collection<DailyDoc>;
  private readonly dailyWithheld: Collection<WithheldDoc>;

  constructor(private readonly db: MongoDatabase) {
    this.auditEvents = db.collection('audit_events');
    this.checkpoints = db.collection('audit_checkpoints');
    this.daily = db.collection('audit_daily');
    this.dailyWithheld = db.collection('audit_daily_withheld');
  }

  /**
   * Fills the daily summaries from a log written before they existed, once: the instance
   * that claims the marker does it (docs/operations-mongodb.md: when upgrading, start one
   * instance first, so no append runs while it fills).
   */
  async backfillDaily(): Promise<void> {
    const meta = this.db.collection<{ _id: string; value: Binary }>('meta');
    const claim = await meta.updateOne({ _id: DAILY_BACKFILLED }, { $setOnInsert: { value: new Binary(Buffer.from('1')) } }, { upsert: true });
    if (claim.upsertedCount === 0) return;
    let batch: AuditEvent[] = [];
    const flush = async () => {
      const { daily, withheld } = dailyWrites(batch);
      if (daily.length) await this.daily.bulkWrite(daily, { ordered: false });
      if (withheld.length) await this.dailyWithheld.bulkWrite(withheld, { ordered: false });
      batch = [];
    };
    for await (const d of this.auditEvents.find({}, { sort: { _id: 1 }, projection: { body: 1, hash: 1 } })) {
      batch.push(toAuditEvent(d));
      if (batch.length >= 10_000) await flush();
    }
    await flush();
  }

  async probeWrite(now: Micros): Promise<void> {
    await this.db.probeWrite(now);
  }

  async listChanges(limit: number, afterSeq = 0): Promise<(ChangeRecord & { seq: number })[]> {
    const docs = await this.db.guard(() =>
      this.auditEvents
        .find({ ...CHANGES_FILTER, _id: { $gt: afterSeq } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray(),
    );
    return docs.map((d) => changeOf(toAuditEvent(d)));
  }

  async appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]> {
    return this.db.write((session) => this.appendLocked(events, session));
  }

  /**
   * Chains events onto the head and inserts them, inside the caller's write (also the object
   * store's, so that an add or delete commits with its event). On a replica
   * set two instances appending at once both insert the next sequence number as `_id`: one
   * transaction conflicts and is retried on the new head, so the chain never forks.
   */
  async appendLocked(inputs: AuditEventInput[], session: ClientSession | undefined): Promise<AuditEvent[]> {
    if (inputs.length === 0) return [];
    const head = headOf(await this.auditEvents.findOne({}, { session, sort: { _id: -1 }, projection: { _id: 1, hash: 1 } }));
    const { docs, events, checkpoints } = chainEvents(head, inputs, randomUUID);
    await this.auditEvents.insertMany(docs, { session });
    if (checkpoints.length) await this.checkpoints.insertMany(checkpoints, { session });
    const { daily, withheld } = dailyWrites(events);
    await this.daily.bulkWrite(daily, { session, ordered: false });
    if (withheld.length) await this.dailyWithheld.bulkWrite(withheld, { session, ordered: false });
    return events;
  }

  async auditHead(): Promise<AuditHead> {
    return headOf(await this.db.guard(() => this.auditEvents.findOne({}, { sort: { _id: -1 }, projection: { _id: 1, hash: 1 } })));
  }

  async summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]> {
    const docs = await this.db.guard(() => this.auditEvents.aggregate<SummaryGroupDoc>(summaryPipeline(group, from, to)).toArray());
    return docs.map(toSummaryRow);
  }

  async auditDaily(range: DayRange, by: readonly DailyKey[]): Promise<DailyRow[]> {
    return (await this.db.guard(() => this.daily.aggregate<GroupedDoc>(dailyPipeline(range, by)).toArray())).map((d) => toDailyRow(d, by));
  }

  async auditWithheldDaily(range: DayRange, by: readonly WithheldKey[]): Promise<WithheldRow[]> {
    return (await this.db.guard(() => this.dailyWithheld.aggregate<GroupedDoc>(withheldPipeline(range, by)).toArray())).map((d) =>
      toWithheldRow(d, by),
    );
  }

  async queryAuditEvents(q: AuditQuery): Promise<Page<AuditEvent>> {
    const docs = await this.db.guard(() =>
      this.auditEvents.find(auditFilter(q), { sort: { _id: q.newestFirst ? -1 : 1 }, limit: q.limit + 1 }).toArray(),
    );
    const more = docs.length > q.limit;
    if (more) docs.pop();
    return { records: docs.map(toAuditEvent), more };
  }

  async readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]> {
    const docs = await this.db.guard(() => this.auditEvents.find({ _id: { $gt: afterSeq } }, { sort: { _id: 1 }, limit }).toArray());
    return docs.map((d) => {
      const event = toAuditEvent(d);
      // The document's own _id is what orders the log: a body moved to another document must not pass.
      if (event.seq !== d._id) event.seq = d._id;
      // The indexes here are on the event's own fields; reported as SQLite files them, for verifyStoreLog.
      const range = rangeIndexed(event) ? { collection: event.collection, ...event.date_added_range } : undefined;
      return {
        event,
        indexed: { objectIds: idsIndexedOneByOne(event), ...(range && { range }), agreements: d.agreements ?? [], fields: queryFields(d) },
      };
    });
  }

  async listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]> {
    return (await this.db.guard(() => this.checkpoints.find().sort({ _id: 1 }).toArray())).map(toCheckpoint);
  }

  /** The driver's I/O is asynchronous already: appends need no thread of their own. */
  backgroundAuditAppender(_warn: (message: string) => void): undefined {
    return undefined;
  }

  async checkpoint(now: Micros): Promise<Checkpoint | undefined> {
    return this.db.write(async (session) => {
      const head = headOf(await this.auditEvents.findOne({}, { session, sort: { _id: -1 }, projection: { _id: 1, hash: 1 } }));
      const last = await this.checkpoints.findOne({}, { session, sort: { _id: -1 } });
      if (head.seq === 0 || (last?._id ?? 0) >= head.seq) return undefined;
      await this.checkpoints.insertOne({ _id: head.seq, hash: head.hash, time: now }, { session });
      return head;
    });
  }
}
