/**
 * The storage contract for upstream feeds (docs/feeds.md): each feed's definition, its
 * progress (the resume point, the schedule, the last run) and a lease that lets exactly one
 * process run it at a time, whether the processes are `--workers` of one server or servers
 * sharing a MongoDB database. Both adapters implement it; test/feeds/feed-store.test.ts
 * checks them with one suite.
 */
import type { ChangeRecord } from '../catalog/types';
import type { Micros } from '../time';

export interface FeedRecord {
  name: string;
  /** The upstream API root's URL, never with credentials in it. */
  url: string;
  /** The upstream collection's id. */
  remoteCollection: string;
  /** The local collection the feed fills. */
  collectionId: string;
  /** The party the feed writes as: its agreements decide what is stored. */
  partyId: string;
  everySeconds: number;
  paused: boolean;
  /** Upstream credentials, sealed (src/feeds/secrets.ts); never in clear. */
  credentials?: string;
  createdAt: Micros;
  createdBy: string;
}

export type FeedOutcome = 'success' | 'failure' | 'denied';

/** What one run did, as the sharing log and `feed list` report it. */
export interface FeedRunSummary {
  startedAt: Micros;
  finishedAt: Micros;
  outcome: FeedOutcome;
  pages: number;
  fetched: number;
  stored: number;
  duplicates: number;
  failed: number;
  /** Why the run stopped early, in words (never a credential). */
  error?: string;
}

export interface FeedState {
  /** Where the next run resumes: the upstream's X-TAXII-Date-Added-Last of the last page stored. */
  addedAfter?: string;
  /** When the scheduler runs the feed next. */
  nextRunAt: Micros;
  /** Failed runs in a row (the backoff grows with it; a success resets it). */
  failures: number;
  lastRun?: FeedRunSummary;
}

export interface FeedRow {
  feed: FeedRecord;
  state: FeedState;
}

export interface FeedStore {
  /** Adds a feed, with its change event in the same transaction; false (and no event) when the name is taken. */
  createFeed(row: FeedRow, change: ChangeRecord): Promise<boolean>;
  getFeed(name: string): Promise<FeedRow | undefined>;
  /** Every feed, by name. */
  listFeeds(): Promise<FeedRow[]>;
  /** False (and no event) when there is no such feed. */
  setFeedPaused(name: string, paused: boolean, change: ChangeRecord): Promise<boolean>;
  removeFeed(name: string, change: ChangeRecord): Promise<boolean>;
  saveFeedState(name: string, state: FeedState): Promise<void>;
  /**
   * Takes (or extends) the feed's run lease for `owner` until `until`, when it is free,
   * expired at `now` or already `owner`'s. Atomic: of two processes asking at once, one wins.
   */
  leaseFeed(name: string, owner: string, now: Micros, until: Micros): Promise<boolean>;
  /** Gives the lease back, if `owner` still holds it. */
  releaseFeed(name: string, owner: string): Promise<void>;
}
