/**
 * The sharing-log half of the storage contract: the hash-chained events, the auditor's
 * queries and summaries, checkpoints, and the catalogue changes recorded as events.
 */
import type { Checkpoint } from '../audit/chain';
import type { AuditEvent, AuditEventInput, StoredAuditEvent } from '../audit/events';
import type { DailyKey, DailyRow, DayRange, WithheldKey, WithheldRow } from '../audit/daily';
import type { ChangeRecord } from '../catalog/types';
import type { Micros } from '../time';
import type { Page } from './page';

/** What the auditor API filters events by; all optional, combined with AND. */
export interface AuditQuery {
  from?: Micros;
  to?: Micros;
  party?: string;
  account?: string;
  agreement?: string;
  collection?: string;
  country?: string;
  objectId?: string;
  action?: string;
  outcome?: string;
  /** Newest first (descending sequence numbers) instead of oldest first. */
  newestFirst?: boolean;
  /** Only events past this sequence number in the query's order (cursor). */
  afterSeq?: number;
  limit: number;
}

export type SummaryGroup = 'agreement' | 'country' | 'party';

/** Objects shared per day and per agreement, country or party (successful reads). */
export interface SummaryRow {
  day: string;
  key: string;
  /** Object versions delivered. */
  objects: number;
  /** Read requests that delivered them. */
  requests: number;
}

/** Appends queued (read-side) sharing-log events; a store may do it off the request thread. */
export interface AuditAppender {
  /**
   * Whether append() may be called again before the last call settled: the appender commits
   * batches in the order it was handed them, and settles them in that order.
   */
  readonly ordered?: boolean;
  append(events: AuditEventInput[]): Promise<void>;
  close(): Promise<void>;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditStore {
  /**
   * A cheap real write where the sharing log is kept (/readyz): fails when the store is full,
   * locked, read-only or unreachable, as an append to the log would.
   */
  probeWrite(now: Micros): Promise<void>;
  /** Catalogue changes in the order they were recorded, oldest first. */
  listChanges(limit: number, afterSeq?: number): Promise<(ChangeRecord & { seq: number })[]>;

  /** Appends events to the sharing log's hash chain, in order, under the write lock. */
  appendAuditEvents(events: AuditEventInput[]): Promise<AuditEvent[]>;
  /** Events matching the query, in sequence order. */
  queryAuditEvents(query: AuditQuery): Promise<Page<AuditEvent>>;
  /** Events after `afterSeq`, in sequence order, exactly as stored (for verification and export). */
  readAuditEvents(afterSeq: number, limit: number): Promise<StoredAuditEvent[]>;
  auditHead(): Promise<AuditHead>;
  summarizeAudit(group: SummaryGroup, from?: Micros, to?: Micros): Promise<SummaryRow[]>;
  /**
   * The daily summaries the appends maintain (src/audit/daily.ts) for the given days, grouped
   * by `by` (at least one key; the rest summed over and '' in the rows), ordered by `by` in
   * DAILY_KEYS order. Grouping happens in the store, so the answer is as small as the question.
   */
  auditDaily(range: DayRange, by: readonly DailyKey[]): Promise<DailyRow[]>;
  auditWithheldDaily(range: DayRange, by: readonly WithheldKey[]): Promise<WithheldRow[]>;
  listCheckpoints(): Promise<(Checkpoint & { time: Micros })[]>;
  /** Records the current head as a checkpoint (when events were added since the last one). */
  checkpoint(now: Micros): Promise<Checkpoint | undefined>;
  /**
   * An appender for queued events that works off the request thread, when the store has one
   * (a file-backed SQLite store: a worker thread with its own connection); undefined when
   * appendAuditEvents should be used directly.
   */
  backgroundAuditAppender(warn: (message: string) => void): AuditAppender | undefined;
}
