/**
 * Upstream feeds in MongoDB (src/store/feeds.ts): one document per feed in `feeds`, keyed by
 * name; the run lease is taken with one conditional update, so of several servers sharing
 * the database one runs a feed at a time.
 */
import type { Collection } from 'mongodb';
import type { ChangeRecord } from '../../catalog/types';
import type { FeedRecord, FeedRow, FeedState, FeedStore } from '../feeds';
import type { MongoCatalog } from './catalog';
import type { Micros } from '../../time';

export interface FeedDoc {
  _id: string;
  feed: FeedRecord;
  state: FeedState;
  lease_owner: string | null;
  lease_until: Micros | null;
}

const toRow = (d: FeedDoc): FeedRow => ({ feed: d.feed, state: d.state });

/** The feed whose lease `owner` may take at `now`: free, expired, or its own. */
export function leaseFilter(name: string, owner: string, now: Micros) {
  return { _id: name, $or: [{ lease_owner: null }, { lease_owner: owner }, { lease_until: { $lte: now } }] };
}

export class MongoFeeds implements FeedStore {
  /**
   * `guard` maps driver errors to StoreUnavailable, as every MongoStore call does; `changing`
   * (MongoCatalog.changing) commits a definition change with its change event.
   */
  constructor(
    private readonly feeds: Collection<FeedDoc>,
    private readonly guard: <T>(fn: () => Promise<T>) => Promise<T>,
    private readonly changing: MongoCatalog['changing'],
  ) {}

  async createFeed(row: FeedRow, change: ChangeRecord): Promise<boolean> {
    const doc = { feed: row.feed, state: row.state, lease_owner: null, lease_until: null };
    const r = await this.changing(
      change,
      (session) => this.feeds.updateOne({ _id: row.feed.name }, { $setOnInsert: doc }, { upsert: true, session }),
      (u) => u.upsertedCount === 1,
    );
    return r.upsertedCount === 1;
  }

  async getFeed(name: string): Promise<FeedRow | undefined> {
    const d = await this.guard(() => this.feeds.findOne({ _id: name }));
    return d ? toRow(d) : undefined;
  }

  async listFeeds(): Promise<FeedRow[]> {
    return (await this.guard(() => this.feeds.find({}).sort({ _id: 1 }).toArray())).map(toRow);
  }

  async setFeedPaused(name: string, paused: boolean, change: ChangeRecord): Promise<boolean> {
    const r = await this.changing(
      change,
      (session) => this.feeds.updateOne({ _id: name }, { $set: { 'feed.paused': paused } }, { session }),
      (u) => u.matchedCount === 1,
    );
    return r.matchedCount === 1;
  }

  async removeFeed(name: string, change: ChangeRecord): Promise<boolean> {
    const r = await this.changing(
      change,
      (session) => this.feeds.deleteOne({ _id: name }, { session }),
      (d) => d.deletedCount === 1,
    );
    return r.deletedCount === 1;
  }

  async saveFeedState(name: string, state: FeedState): Promise<void> {
    await this.guard(() => this.feeds.updateOne({ _id: name }, { $set: { state } }));
  }

  async leaseFeed(name: string, owner: string, now: Micros, until: Micros): Promise<boolean> {
    const r = await this.guard(() => this.feeds.updateOne(leaseFilter(name, owner, now), { $set: { lease_owner: owner, lease_until: until } }));
    return r.matchedCount === 1;
  }

  async releaseFeed(name: string, owner: string): Promise<void> {
    await this.guard(() => this.feeds.updateOne({ _id: name, lease_owner: owner }, { $set: { lease_owner: null, lease_until: null } }));
  }
}
