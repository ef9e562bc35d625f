/**
 * The feed storage contract (src/store/feeds.ts) on both adapters: SQLite, and the MongoDB
 * adapter's MongoFeeds with its own filters and updates evaluated by mingo (logic tests, not
 * a MongoDB server). Definitions, progress and the run lease survive as stored; a definition
 * change is recorded when, and only when, it changed something.
 */
import { MongoFeeds, type FeedDoc } from '../../src/store/mongodb/feeds';
import type { FeedRow, FeedStore } from '../../src/store/feeds';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { ChangeRecord } from '../../src/catalog/types';
import { mingoCollection } from '../mongodb/mingo-collection';
import { testChange as change } from './support';

const row = (name: string): FeedRow => ({
  feed: {
    name,
    url: 'https://upstream.example/api1/',
    remoteCollection: 'c1',
    collectionId: 'local-1',
    partyId: 'vendor',
    everySeconds: 900,
    paused: false,
    credentials: 'v1.sealed',
    createdAt: 1,
    createdBy: 'cli',
  },
  state: { nextRunAt: 10, failures: 0 },
});

interface Opened {
  feeds: FeedStore;
  /** The change records committed, oldest first. */
  changes: () => Promise<Pick<ChangeRecord, 'entityId' | 'action'>[]>;
  close: () => Promise<void>;
}

const adapters: [string, () => Opened][] = [
  [
    'SQLite',
    () => {
      const store = new SqliteStore(':memory:');
      const changes = async () => (await store.listChanges(100)).map(({ entityId, action }) => ({ entityId, action }));
      return { feeds: store.feeds(), changes, close: () => store.close() };
    },
  ],
  [
    'MongoDB (MongoFeeds on mingo)',
    () => {
      const recorded: Pick<ChangeRecord, 'entityId' | 'action'>[] = [];
      // As MongoCatalog.changing: the write, then its change when it changed something.
      const changing = async <T>(
        c: ChangeRecord,
        write: (session: undefined) => Promise<T>,
        done: (result: T) => boolean = () => true,
      ): Promise<T> => {
        const result = await write(undefined);
        if (done(result)) recorded.push({ entityId: c.entityId, action: c.action });
        return result;
      };
      return {
        feeds: new MongoFeeds(mingoCollection<FeedDoc>(), (fn) => fn(), changing),
        changes: async () => recorded,
        close: async () => undefined,
      };
    },
  ],
];

describe.each(adapters)('Feed store contract: %s', (_name, open) => {
  let feeds: FeedStore;
  let changes: Opened['changes'];
  let close: () => Promise<void>;
  beforeEach(() => ({ feeds, changes, close } = open()));
  afterEach(() => close());

  it('creates a feed once: a second feed with the same name is refused and changes nothing', async () => {
    expect(await feeds.createFeed(row('a'), change('a', 'create'))).toBe(true);
    const other = row('a');
    other.feed.url = 'https://elsewhere.example/';
    expect(await feeds.createFeed(other, change('a', 'create'))).toBe(false);
    expect(await feeds.getFeed('a')).toEqual(row('a'));
    expect(await changes()).toEqual([{ entityId: 'a', action: 'create' }]);
  });

  it('lists feeds by name, pauses, resumes and removes them', async () => {
    await feeds.createFeed(row('b'), change('b', 'create'));
    await feeds.createFeed(row('a'), change('a', 'create'));
    expect((await feeds.listFeeds()).map((r) => r.feed.name)).toEqual(['a', 'b']);
    expect(await feeds.setFeedPaused('a', true, change('a', 'pause'))).toBe(true);
    expect((await feeds.getFeed('a'))?.feed.paused).toBe(true);
    expect(await feeds.setFeedPaused('a', false, change('a', 'resume'))).toBe(true);
    expect((await feeds.getFeed('a'))?.feed.paused).toBe(false);
    expect(await feeds.setFeedPaused('zzz', true, change('zzz', 'pause'))).toBe(false);
    expect(await feeds.removeFeed('a', change('a', 'remove'))).toBe(true);
    expect(await feeds.removeFeed('a', change('a', 'remove'))).toBe(false);
    expect((await feeds.listFeeds()).map((r) => r.feed.name)).toEqual(['b']);
    expect((await changes()).map((c) => `${c.action} ${c.entityId}`)).toEqual(['create b', 'create a', 'pause a', 'resume a', 'remove a']);
  });

  it('keeps the resume point and the last run as saved', async () => {
    await feeds.createFeed(row('a'), change('a', 'create'));
    const state = {
      addedAfter: '2026-01-01T00:00:00.000001Z',
      nextRunAt: 99,
      failures: 2,
      lastRun: {
        startedAt: 1,
        finishedAt: 2,
        outcome: 'failure' as const,
        pages: 1,
        fetched: 3,
        stored: 2,
        duplicates: 1,
        failed: 0,
        error: 'the upstream answered 500',
      },
    };
    await feeds.saveFeedState('a', state);
    expect((await feeds.getFeed('a'))?.state).toEqual(state);
    expect((await feeds.getFeed('a'))?.feed).toEqual(row('a').feed);
  });

  it('gives the run lease to one owner at a time, until it expires or is released', async () => {
    await feeds.createFeed(row('a'), change('a', 'create'));
    expect(await feeds.leaseFeed('a', 'p1', 100, 200)).toBe(true);
    expect(await feeds.leaseFeed('a', 'p2', 150, 250)).toBe(false);
    // The holder may extend its own lease.
    expect(await feeds.leaseFeed('a', 'p1', 150, 300)).toBe(true);
    expect(await feeds.leaseFeed('a', 'p2', 299, 400)).toBe(false);
    // Expired: another process takes over (the holder died mid-run).
    expect(await feeds.leaseFeed('a', 'p2', 300, 400)).toBe(true);
    // Releasing someone else's lease does nothing.
    await feeds.releaseFeed('a', 'p1');
    expect(await feeds.leaseFeed('a', 'p1', 310, 500)).toBe(false);
    await feeds.releaseFeed('a', 'p2');
    expect(await feeds.leaseFeed('a', 'p1', 310, 500)).toBe(true);
    expect(await feeds.leaseFeed('missing', 'p1', 0, 1)).toBe(false);
  });
});
