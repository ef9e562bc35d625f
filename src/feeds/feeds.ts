/**
 * Defining and managing upstream feeds (docs/feeds.md), for the CLI (`accord feed …`) and the
 * admin API (/admin/feeds). Knows no HTTP. Every change is a catalogue change in the sharing
 * log, committed with it; credentials are sealed before they reach the store and never come back out: the wire
 * form says only which kind of credential a feed has.
 */
import { fail } from '../errors';
import type { FeedRecord, FeedRow } from '../store/feeds';
import type { CollectionRecord } from '../catalog/types';
import type { Store } from '../store/store';
import { formatTimestamp, type Clock } from '../time';
import { sealCredentials, type FeedCredentials } from './secrets';

export interface FeedInput {
  name: string;
  /** The upstream API root URL. */
  url: string;
  /** The upstream collection id. */
  collection: string;
  /** The local collection: id or alias. */
  into: string;
  /** The party the feed writes as. */
  as: string;
  /** `15m`, `1h`, `30s`, `1d`; default 15m. */
  every?: string;
  credentials?: FeedCredentials;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const MIN_EVERY_SECONDS = 60;

/** `15m` → 900; at least a minute, so one feed cannot keep an upstream busy. */
export function parseEvery(text: string): number {
  const m = DURATION.exec(text);
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : NaN;
  if (!(seconds >= MIN_EVERY_SECONDS))
    throw fail('invalid-feed', `invalid feed: "every" must be a duration of at least 1m, like 15m, 1h or 1d (got "${text}")`);
  return seconds;
}

export function formatEvery(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The upstream API root as stored: http(s), no credentials, query or fragment. */
function checkUrl(text: string, withCredentials: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('invalid-feed', 'invalid feed: "url" must be the upstream API root\'s URL, e.g. https://taxii.example.org/api1/');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('invalid-feed', 'invalid feed: "url" must be an http or https URL');
  // Never stored or logged with a secret in it: credentials go in their own, sealed field.
  if (url.username !== '' || url.password !== '')
    throw fail('invalid-feed', 'invalid feed: "url" must not carry credentials; give them with --token-stdin or --user/--password-stdin');
  if (url.search !== '' || url.hash !== '') throw fail('invalid-feed', 'invalid feed: "url" must be the API root, without query or fragment');
  if (withCredentials && url.protocol === 'http:' && !isLoopback(url.hostname))
    throw fail('invalid-feed', 'invalid feed: credentials are sent only over https (http only to this machine)');
  return url.toString().endsWith('/') ? url.toString() : `${url.toString()}/`;
}

async function findInto(store: Store, idOrAlias: string): Promise<CollectionRecord> {
  const matches = (await store.listCollections()).filter((c) => c.id === idOrAlias || c.alias === idOrAlias);
  if (matches.length === 0) throw fail('invalid-feed', `invalid feed: no collection "${idOrAlias}"`);
  if (matches.length > 1) throw fail('invalid-feed', `invalid feed: "${idOrAlias}" names collections in several API roots; give the collection id`);
  return matches[0] as CollectionRecord;
}

export async function addFeed(store: Store, clock: Clock, key: Buffer, by: string, input: FeedInput): Promise<FeedRow> {
  if (!NAME.test(input.name)) throw fail('invalid-feed', 'invalid feed: the name must be 1–63 lower-case letters, digits, "-" or "_"');
  const url = checkUrl(input.url, input.credentials !== undefined);
  if (input.collection.length === 0 || input.collection.length > 300)
    throw fail('invalid-feed', 'invalid feed: "collection" must be the upstream collection\'s id');
  const everySeconds = parseEvery(input.every ?? '15m');
  const into = await findInto(store, input.into);
  if (!(await store.getParty(input.as))) throw fail('invalid-feed', `invalid feed: no party "${input.as}"`);
  const now = clock();
  const feed: FeedRecord = {
    name: input.name,
    url,
    remoteCollection: input.collection,
    collectionId: into.id,
    partyId: input.as,
    everySeconds,
    paused: false,
    ...(input.credentials && { credentials: sealCredentials(key, input.name, input.credentials) }),
    createdAt: now,
    createdBy: by,
  };
  const row: FeedRow = { feed, state: { nextRunAt: now, failures: 0 } };
  const change = {
    at: now,
    by,
    entity: 'feed' as const,
    entityId: feed.name,
    action: 'create',
    detail: {
      url,
      collection: feed.remoteCollection,
      into: into.id,
      party: feed.partyId,
      every: formatEvery(everySeconds),
      credentials: credentialKind(feed),
    },
  };
  if (!(await store.feeds().createFeed(row, change))) throw fail('conflict', `a feed "${input.name}" exists already`);
  return row;
}

export async function requireFeed(store: Store, name: string): Promise<FeedRow> {
  const row = await store.feeds().getFeed(name);
  if (!row) throw fail('not-found', `no feed "${name}"`);
  return row;
}

export async function setPaused(store: Store, clock: Clock, by: string, name: string, paused: boolean): Promise<void> {
  const change = { at: clock(), by, entity: 'feed' as const, entityId: name, action: paused ? 'pause' : 'resume' };
  if (!(await store.feeds().setFeedPaused(name, paused, change))) throw fail('not-found', `no feed "${name}"`);
}

/** Removes the definition; what the feed stored stays in the collection. */
export async function removeFeed(store: Store, clock: Clock, by: string, name: string): Promise<void> {
  if (!(await store.feeds().removeFeed(name, { at: clock(), by, entity: 'feed', entityId: name, action: 'remove' })))
    throw fail('not-found', `no feed "${name}"`);
}

function credentialKind(feed: FeedRecord): 'none' | 'sealed' {
  return feed.credentials === undefined ? 'none' : 'sealed';
}

/** What `feed list` and the admin API show: everything but the credentials themselves. */
export function feedResource({ feed, state }: FeedRow) {
  const last = state.lastRun;
  return {
    name: feed.name,
    url: feed.url,
    collection: feed.remoteCollection,
    into: feed.collectionId,
    as: feed.partyId,
    every: formatEvery(feed.everySeconds),
    paused: feed.paused,
    credentials: credentialKind(feed),
    created: formatTimestamp(feed.createdAt),
    ...(state.addedAfter !== undefined && { added_after: state.addedAfter }),
    next_run: formatTimestamp(state.nextRunAt),
    failures: state.failures,
    ...(last && {
      last_run: {
        started: formatTimestamp(last.startedAt),
        finished: formatTimestamp(last.finishedAt),
        outcome: last.outcome,
        pages: last.pages,
        fetched: last.fetched,
        stored: last.stored,
        duplicates: last.duplicates,
        failed: last.failed,
        ...(last.error !== undefined && { error: last.error }),
      },
    }),
  };
}
