/** Upstream feeds (docs/feeds.md): define, list, pause, resume, run now and remove. */
import { freshBindings } from '../../access/catalog-cache';
import { randomUUID } from 'node:crypto';
import { addFeed, feedResource, removeFeed, requireFeed, setPaused, type FeedInput } from '../../feeds/feeds';
import { runFeed } from '../../feeds/runner';
import { feedKey } from '../../feeds/secrets';
import type { AppContext } from '../context';
import { created, noContent, ok, type AdminCall, type Reply } from './call';
import { fail } from '../../errors';
import { checked } from './openapi';

const keyOf = (ctx: AppContext) => feedKey(ctx.store, ctx.config.feeds.keyFile);

export async function listFeeds({ ctx }: AdminCall): Promise<Reply> {
  return ok({ feeds: (await ctx.store.feeds().listFeeds()).map(feedResource) });
}

export async function createFeed({ ctx, by, body }: AdminCall): Promise<Reply> {
  const input = checked<FeedInput>('FeedInput', body);
  return created(feedResource(await addFeed(ctx.store, ctx.clock, await keyOf(ctx), by, input)));
}

export async function getFeed({ ctx, param }: AdminCall): Promise<Reply> {
  return ok(feedResource(await requireFeed(ctx.store, param('name'))));
}

export async function deleteFeed({ ctx, by, param }: AdminCall): Promise<Reply> {
  await removeFeed(ctx.store, ctx.clock, by, param('name'));
  return noContent;
}

export const pauseFeed =
  (paused: boolean) =>
  async ({ ctx, by, param }: AdminCall): Promise<Reply> => {
    await setPaused(ctx.store, ctx.clock, by, param('name'), paused);
    return ok(feedResource(await requireFeed(ctx.store, param('name'))));
  };

/** Runs the feed now, in this process, and answers with the feed as the run left it. */
export async function runFeedNow({ ctx, param }: AdminCall): Promise<Reply> {
  const name = param('name');
  await requireFeed(ctx.store, name);
  const result = await runFeed(
    {
      store: ctx.store,
      clock: ctx.clock,
      key: await keyOf(ctx),
      agreements: freshBindings(ctx.catalog),
      settings: ctx.config.feeds,
      maxObjectSize: ctx.config.maxObjectSize,
      operatorParty: ctx.config.operatorParty,
      owner: randomUUID(),
      log: ctx.audit,
    },
    name,
  );
  if (!result.ran && result.reason === 'busy') throw fail('conflict', `feed "${name}" is running in another process`);
  return ok(feedResource(await requireFeed(ctx.store, name)));
}
