/**
 * The `audit_events` and `audit_checkpoints` collections of a MongoStore, held in memory:
 * the adapter's own chaining, filter and summary documents (src/store/mongodb/audit.ts)
 * evaluated by mingo, step for step as the MongoStore methods of the same names run them.
 * Checks the adapter's logic only: not the server, its indexes or its transactions.
 */
import { randomUUID } from 'node:crypto';
import { Aggregator, Query } from 'mingo';
import { updateOne } from 'mingo/updater';
import type { DailyKey, DailyRow, DayRange, WithheldKey, WithheldRow } from '../../src/audit/daily';
import { dailyPipeline, dailyWrites, toDailyRow, toWithheldRow, withheldPipeline, type DailyDoc, type GroupedDoc, type WithheldDoc } from '../../src/store/mongodb/console';
import type { AnyObject } from 'mingo/types';
import { changeEvent, changeOf } from '../../src/audit/changes';
import type { AuditEvent, AuditEventInput, StoredAuditEvent } from '../../src/audit/events';
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
  toSummaryRow,
} from '../../src/store/mongodb/audit-docs';
import type { ChangeRecord } from '../../src/catalog/types';
import type { AuditHead, AuditQuery, SummaryGroup, SummaryRow } from '../../src/store/audit-store';
import type { Page } from '../../src/store/page';
import type { Micros } from '../../src/time';

export class InMemoryAudit {
  readonly docs: AuditDoc[] = [];
  readonly checkpoints: CheckpointDoc[] = [];
  readonly daily: DailyDoc[] = [];
  readonly dailyWithheld: WithheldDoc[] = [];

  private sorted(filter: object, direction: 1 | -1 = 1): AuditDoc[] {
    return new Query(filter as AnyObject).find<AnyObject>(this.docs as unknown as AnyObject[]).sort({ _id: direction }).all() as unknown as AuditDoc[];
  }

  /** MongoStore.auditHead (the document with the highest _id). */
  head(): AuditHead {
    return headOf(this.sorted({}).pop() ?? null);
  }

  /** MongoStore.appendAuditEvents / appendLocked. */
  append(inputs: AuditEventInput[]): AuditEvent[] {
    if (inputs.length === 0) return [];
    const { docs, events, checkpoints } = chainEvents(this.head(), inputs, randomUUID);
    this.docs.push(...docs);
    this.checkpoints.push(...checkpoints);
    const writes = dailyWrites(events);
    upsertAll(this.daily, writes.daily);
    upsertAll(this.dailyWithheld, writes.withheld);
    return events;
  }

  /** MongoStore.auditDaily / auditWithheldDaily. */
  dailyRows(range: DayRange, by: readonly DailyKey[]): DailyRow[] {
    return (new Aggregator(dailyPipeline(range, by)).run(this.daily as unknown as AnyObject[]) as unknown as GroupedDoc[]).map((d) => toDailyRow(d, by));
  }

  withheldRows(range: DayRange, by: readonly WithheldKey[]): WithheldRow[] {
    return (new Aggregator(withheldPipeline(range, by)).run(this.dailyWithheld as unknown as AnyObject[]) as unknown as GroupedDoc[]).map((d) => toWithheldRow(d, by));
  }

  recordChange(c: ChangeRecord): void {
    this.append([changeEvent(c)]);
  }

  listChanges(limit: number, afterSeq = 0): (ChangeRecord & { seq: number })[] {
    return this.sorted({ ...CHANGES_FILTER, _id: { $gt: afterSeq } })
      .slice(0, limit)
      .map((d) => changeOf(toAuditEvent(d)));
  }

  query(q: AuditQuery): Page<AuditEvent> {
    const docs = this.sorted(auditFilter(q), q.newestFirst ? -1 : 1).slice(0, q.limit + 1);
    const more = docs.length > q.limit;
    if (more) docs.pop();
    return { records: docs.map(toAuditEvent), more };
  }

  read(afterSeq: number, limit: number): StoredAuditEvent[] {
    return this.sorted({ _id: { $gt: afterSeq } })
      .slice(0, limit)
      .map((d) => ({ event: toAuditEvent(d), indexed: { objectIds: [...new Set((d.objects ?? []).map((o) => o.id))].sort(), agreements: d.agreements ?? [] } }));
  }

  summarize(group: SummaryGroup, from?: Micros, to?: Micros): SummaryRow[] {
    return (new Aggregator(summaryPipeline(group, from, to)).run(this.docs as unknown as AnyObject[]) as unknown as SummaryGroupDoc[]).map(toSummaryRow);
  }
}

interface UpsertOp {
  updateOne: { filter: { _id: string }; update: { $setOnInsert: AnyObject; $inc: Record<string, number> }; upsert: true };
}

/** An upserting updateOne as MongoDB runs it: a missing document starts from the filter and $setOnInsert, its counters at 0. */
function upsertAll<T extends { _id: string }>(docs: T[], ops: readonly unknown[]): void {
  for (const op of ops as UpsertOp[]) {
    const { filter, update } = op.updateOne;
    if (!docs.some((d) => d._id === filter._id)) {
      docs.push({ ...filter, ...update.$setOnInsert, ...Object.fromEntries(Object.keys(update.$inc).map((k) => [k, 0])) } as unknown as T);
    }
    updateOne(docs as unknown as AnyObject[], filter, { $inc: update.$inc });
  }
}
