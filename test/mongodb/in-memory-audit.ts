/**
 * The `audit_events` and `audit_checkpoints` collections of a MongoStore, held in memory:
 * the adapter's own chaining, filter and summary documents (src/store/mongodb/audit.ts)
 * evaluated by mingo, step for step as the MongoStore methods of the same names run them.
 * Checks the adapter's logic only: not the server, its indexes or its transactions.
 */
import { randomUUID } from 'node:crypto';
import { Aggregator, Query } from 'mingo';
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

  private sorted(filter: object): AuditDoc[] {
    return new Query(filter as AnyObject).find<AnyObject>(this.docs as unknown as AnyObject[]).sort({ _id: 1 }).all() as unknown as AuditDoc[];
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
    return events;
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
    const docs = this.sorted(auditFilter(q)).slice(0, q.limit + 1);
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
