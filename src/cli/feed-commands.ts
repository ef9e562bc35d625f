/**
 * `accord feed add|list|run|pause|resume|remove` (docs/feeds.md): upstream TAXII feeds from
 * the command line. `feed run` runs the feed in this process, under the same lease as the
 * servers' schedulers, and prints what it did. Credentials come on standard input only, so
 * they never appear in the shell history or the process list.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { CatalogCache, freshBindings } from '../access/catalog-cache';
import { addFeed, feedResource, removeFeed, requireFeed, setPaused } from '../feeds/feeds';
import { runFeed } from '../feeds/runner';
import { feedKey, type FeedCredentials } from '../feeds/secrets';
import { systemClock } from '../time';
import { fail } from '../errors';
import { configOption, dbOption, readStdin, withStore, type StoreOptions } from './options';

/** Who the change record names for changes made here. */
const BY = 'cli';

const out = (text: string) => process.stdout.write(text);

interface AddOptions extends StoreOptions {
  url: string;
  collection: string;
  into: string;
  as: string;
  every?: string;
  tokenStdin?: boolean;
  user?: string;
  passwordStdin?: boolean;
}

async function credentialsFrom(opts: AddOptions): Promise<FeedCredentials | undefined> {
  if (opts.tokenStdin && (opts.user !== undefined || opts.passwordStdin))
    throw fail('invalid-command', 'give either --token-stdin or --user with --password-stdin, not both');
  if (opts.tokenStdin) return { token: await nonEmptyStdin('token') };
  if (opts.user !== undefined || opts.passwordStdin) {
    if (opts.user === undefined || !opts.passwordStdin) throw fail('invalid-command', '--user and --password-stdin go together');
    if (opts.user.includes(':')) throw fail('invalid-command', '--user must not contain ":" (HTTP Basic cannot carry it)');
    return { user: opts.user, password: await nonEmptyStdin('password') };
  }
  return undefined;
}

async function nonEmptyStdin(what: string): Promise<string> {
  const value = await readStdin();
  if (value === '') throw fail('invalid-command', `no ${what} on standard input`);
  return value;
}

export function registerFeedCommands(program: Command): void {
  const feed = program.command('feed').description('upstream TAXII 2.1 feeds that fill a collection (docs/feeds.md)');
  const withStoreOptions = (command: Command) => command.addOption(dbOption()).addOption(configOption());

  withStoreOptions(
    feed
      .command('add <name>')
      .description('poll an upstream TAXII 2.1 collection into a local one, as a party')
      .requiredOption('--url <apiRoot>', 'the upstream API root URL, e.g. https://taxii.example.org/api1/')
      .requiredOption('--collection <id>', 'the upstream collection id')
      .requiredOption('--into <idOrAlias>', 'the local collection')
      .requiredOption('--as <party>', 'the party the feed writes as (its agreements decide what is stored)')
      .option('--every <duration>', 'how often: 15m, 1h, 1d … (at least 1m)', '15m')
      .option('--token-stdin', 'read an API token for the upstream from standard input')
      .option('--user <name>', 'HTTP Basic user for the upstream (with --password-stdin)')
      .option('--password-stdin', 'read the upstream password from standard input'),
  ).action(async (name: string, opts: AddOptions) => {
    const credentials = await credentialsFrom(opts);
    await withStore(opts, async (store, config) => {
      const row = await addFeed(store, systemClock, await feedKey(store, config.feeds.keyFile), BY, {
        name,
        url: opts.url,
        collection: opts.collection,
        into: opts.into,
        as: opts.as,
        ...(opts.every !== undefined && { every: opts.every }),
        ...(credentials && { credentials }),
      });
      const r = feedResource(row);
      out(
        `added feed ${r.name}: ${r.url} collection ${r.collection} → ${r.into} as ${r.as}, every ${r.every}${credentials ? ' (credentials sealed)' : ''}\n`,
      );
    });
  });

  withStoreOptions(
    feed.command('list').description('list feeds, their resume points and last runs').option('--json', 'machine-readable output'),
  ).action(async (opts: StoreOptions & { json?: boolean }) => {
    await withStore(opts, async (store) => {
      const rows = (await store.feeds().listFeeds()).map(feedResource);
      if (opts.json) return void out(JSON.stringify(rows, null, 2) + '\n');
      for (const r of rows) {
        const last = r.last_run
          ? `last run ${r.last_run.outcome}: ${r.last_run.stored} stored, ${r.last_run.duplicates} already present, ${r.last_run.failed} failed${r.last_run.error ? ` (${r.last_run.error})` : ''}`
          : 'never run';
        out(`${r.name}\t${r.paused ? 'PAUSED' : `every ${r.every}`}\t${r.url} ${r.collection} → ${r.into} as ${r.as}\t${last}\tnext ${r.next_run}\n`);
      }
    });
  });

  withStoreOptions(feed.command('run <name>').description('run a feed now, in this process, and print what it did')).action(
    async (name: string, opts: StoreOptions) => {
      await withStore(opts, async (store, config) => {
        await requireFeed(store, name);
        const result = await runFeed(
          {
            store,
            clock: systemClock,
            key: await feedKey(store, config.feeds.keyFile),
            agreements: freshBindings(new CatalogCache(store)),
            settings: config.feeds,
            maxObjectSize: config.maxObjectSize,
            operatorParty: config.operatorParty,
            owner: randomUUID(),
          },
          name,
        );
        if (!result.ran)
          throw fail('invalid-command', result.reason === 'busy' ? `feed "${name}" is running in another process` : `no feed "${name}"`);
        const s = result.summary;
        out(
          `feed ${name}: ${s.outcome}; ${s.pages} pages, ${s.fetched} objects fetched, ${s.stored} stored, ${s.duplicates} already present, ${s.failed} failed${s.error ? `\n  ${s.error}` : ''}\n`,
        );
        if (s.outcome !== 'success' || s.failed > 0) process.exitCode = 1;
      });
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    withStoreOptions(feed.command(`${action} <name>`).description(paused ? 'stop polling a feed until resumed' : 'poll a paused feed again')).action(
      async (name: string, opts: StoreOptions) => {
        await withStore(opts, async (store) => {
          await setPaused(store, systemClock, BY, name, paused);
          out(`${paused ? 'paused' : 'resumed'} feed ${name}\n`);
        });
      },
    );
  }

  withStoreOptions(feed.command('remove <name>').description('remove a feed (what it stored stays in the collection)')).action(
    async (name: string, opts: StoreOptions) => {
      await withStore(opts, async (store) => {
        await removeFeed(store, systemClock, BY, name);
        out(`removed feed ${name}\n`);
      });
    },
  );
}
