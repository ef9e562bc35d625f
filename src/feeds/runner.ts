/**
 * One run of an upstream feed (docs/feeds.md): under the feed's lease, page through the
 * upstream collection from where the last run stopped, store each page through the same add
 * path as a TAXII push by the feed's party (validation, ownership, agreements; each page's
 * event committed with its objects), save the resume point after every page, and record the
 * run in the sharing log. A failed run backs off (Retry-After when the upstream gives one,
 * else exponentially up to a cap); what it stored before failing stays, and the next run
 * resumes after it.
 */
import type { GrantBinding } from '../access/decide';
import { decide } from '../access/decide';
import type { Principal } from '../auth/principal';
import type { FeedSettings } from '../config/config';
import type { FeedRow, FeedRunSummary, FeedState } from '../store/feeds';
import type { StatusDetail } from '../store/object-store';
import type { Store } from '../store/store';
import { whoAndWhere } from '../exchange/events';
import { Exchange, type Call, type SharingLog } from '../exchange/exchange';
import type { Clock } from '../time';
import { fetchPage, UpstreamError } from './client';
import { authorization, openCredentials } from './secrets';

const SECOND = 1_000_000;
/** The first retry after a failure; doubled for each further failure in a row, up to the cap. */
const FIRST_BACKOFF_SECONDS = 30;
/** A Retry-After beyond a day is taken as a day: an upstream cannot park a feed forever. */
const MAX_RETRY_AFTER_SECONDS = 86400;
/** Object failures named in a run's record (the statuses keep them all). */
const REPORTED_FAILURES = 20;

export interface FeedRunner {
  store: Store;
  clock: Clock;
  /** Opens the feeds' sealed credentials (src/feeds/secrets.ts). */
  key: Buffer;
  agreements: { bindingsFor(partyId: string): Promise<GrantBinding[]> };
  settings: Readonly<FeedSettings>;
  maxObjectSize: number;
  /** The operator's party (config.operatorParty), as the exchange service needs it. */
  operatorParty: string;
  /** This process, as lease owner. */
  owner: string;
  /** True when the process is shutting down: a run stops between pages (and resumes later). */
  stopping?: () => boolean;
  /** Where the run's own event goes: the server's sharing log; absent, the store directly (the CLI). */
  log?: SharingLog;
}

/** The sharing log as the command line writes it: straight to the store. */
const directLog = (store: Store): SharingLog => ({ healthy: true, record: async (e) => void (await store.appendAuditEvents([e])) });

export type RunResult = { ran: true; summary: FeedRunSummary } | { ran: false; reason: 'busy' | 'missing' };

/** The feed acts as its party with a writer's rights: agreements decide what it may store. */
export function feedPrincipal(row: FeedRow): Principal {
  return {
    accountId: `feed:${row.feed.name}`,
    accountName: `feed:${row.feed.name}`,
    partyId: row.feed.partyId,
    roles: ['writer'],
    credential: 'feed',
  };
}

export function backoffSeconds(failures: number, cap: number): number {
  return Math.min(cap, FIRST_BACKOFF_SECONDS * 2 ** Math.min(failures - 1, 30));
}

class Denied extends Error {}

export async function runFeed(r: FeedRunner, name: string): Promise<RunResult> {
  const feeds = r.store.feeds();
  const leaseFor = () => r.clock() + Math.max(120, r.settings.timeoutSeconds * 3) * SECOND;
  if (!(await feeds.leaseFeed(name, r.owner, r.clock(), leaseFor()))) {
    return (await feeds.getFeed(name)) ? { ran: false, reason: 'busy' } : { ran: false, reason: 'missing' };
  }
  try {
    const row = await feeds.getFeed(name);
    if (!row) return { ran: false, reason: 'missing' };
    return { ran: true, summary: await runLeased(r, row, () => feeds.leaseFeed(name, r.owner, r.clock(), leaseFor())) };
  } finally {
    await feeds.releaseFeed(name, r.owner);
  }
}

async function runLeased(r: FeedRunner, row: FeedRow, renew: () => Promise<boolean>): Promise<FeedRunSummary> {
  const { feed } = row;
  const startedAt = r.clock();
  const summary: FeedRunSummary = { startedAt, finishedAt: startedAt, outcome: 'success', pages: 0, fetched: 0, stored: 0, duplicates: 0, failed: 0 };
  const state: FeedState = { ...row.state };
  const problems: StatusDetail[] = [];
  const log = r.log ?? directLog(r.store);
  const principal = feedPrincipal(row);
  let basis: string[] = [];
  let retryAfter: number | undefined;
  const collection = (await r.store.listCollections()).find((c) => c.id === feed.collectionId);
  try {
    if (!collection) throw new Denied(`the collection ${feed.collectionId} no longer exists`);
    const root = await r.store.getApiRoot(collection.apiRoot);
    if (!root) throw new Denied(`the collection's API root "${collection.apiRoot}" no longer exists`);
    const decision = decide(principal, collection, 'write', r.clock(), await r.agreements.bindingsFor(feed.partyId));
    if (!decision.allowed) throw new Denied(decision.reason.replace('your organisation', `party ${feed.partyId}`));
    basis = decision.basis;
    // The same add path as a TAXII push by the feed's party (src/exchange/).
    const exchange = new Exchange({
      store: r.store,
      clock: r.clock,
      log,
      agreements: r.agreements,
      maxObjectSize: r.maxObjectSize,
      operatorParty: r.operatorParty,
    });
    const call: Call = { actor: principal, authority: { basis, scope: decision.scope }, apiRoot: root, collection };
    const auth = feed.credentials === undefined ? undefined : authorization(openCredentials(r.key, feed.name, feed.credentials));
    // `next` continues this run's query, which keeps the added_after it started with.
    const since = state.addedAfter;
    let next: string | undefined;
    for (let n = 0; n < r.settings.maxPagesPerRun && !(r.stopping?.() ?? false); n++) {
      const page = await fetchPage({
        apiRoot: feed.url,
        collection: feed.remoteCollection,
        limit: r.settings.pageSize,
        ...(next !== undefined
          ? { next, ...(since !== undefined && { addedAfter: since }) }
          : state.addedAfter !== undefined && { addedAfter: state.addedAfter }),
        ...(auth !== undefined && { authorization: auth }),
        timeoutMs: r.settings.timeoutSeconds * 1000,
        maxResponseBytes: r.settings.maxResponseBytes,
      });
      summary.pages++;
      summary.fetched += page.objects.length;
      if (page.objects.length > 0) {
        const status = await exchange.store(call, exchange.prepare(call, page.objects), r.clock(), { feed: feed.name, upstream: feed.url });
        for (const s of status.successes) {
          if (s.message === 'already stored') summary.duplicates++;
          else summary.stored++;
        }
        summary.failed += status.failureCount;
        problems.push(...status.failures.slice(0, REPORTED_FAILURES - problems.length));
      }
      // Saved after every page: a restart resumes after the last page stored.
      if (page.dateAddedLast !== undefined) state.addedAfter = page.dateAddedLast;
      await r.store.feeds().saveFeedState(feed.name, state);
      if (!page.more) break;
      if (page.next !== undefined) next = page.next;
      else if (page.dateAddedLast !== undefined) next = undefined;
      else throw new UpstreamError('the upstream says there is more but gives neither "next" nor X-TAXII-Date-Added-Last');
      if (!(await renew())) throw new UpstreamError("the feed's lease was taken over by another process");
    }
  } catch (e) {
    // Anything else (the store, a key that no longer opens the credentials) fails the run
    // too, with the same backoff: the scheduler must not retry it on every tick.
    summary.outcome = e instanceof Denied ? 'denied' : 'failure';
    if (e instanceof UpstreamError) retryAfter = e.retryAfterSeconds;
    summary.error = (e as Error).message;
  }
  summary.finishedAt = r.clock();
  state.lastRun = summary;
  if (summary.outcome === 'failure') {
    state.failures++;
    const wait =
      retryAfter !== undefined ? Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS) : backoffSeconds(state.failures, r.settings.maxBackoffSeconds);
    state.nextRunAt = summary.finishedAt + wait * SECOND;
  } else {
    state.failures = 0;
    state.nextRunAt = summary.finishedAt + feed.everySeconds * SECOND;
  }
  await r.store.feeds().saveFeedState(feed.name, state);
  const { startedAt: _s, finishedAt: _f, outcome, error, ...counts } = summary;
  await log.record({
    time: startedAt,
    action: 'feed.run',
    outcome,
    ...whoAndWhere(principal, { ...(collection && { collection }), ...(collection && { apiRoot: { path: collection.apiRoot } }), basis }),
    detail: {
      feed: feed.name,
      upstream: feed.url,
      remote_collection: feed.remoteCollection,
      ...counts,
      ...(error !== undefined && { reason: error }),
      ...(problems.length > 0 && { failures: problems.map((p) => p.message ?? p.id) }),
    },
  });
  return summary;
}
