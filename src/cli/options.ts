/**
 * What every `accord` command that opens the database shares: the --db and --config options,
 * the configuration they give, the store, and the local operator that commands act as (the
 * name their changes are recorded under in the sharing log).
 */
import { Option } from 'commander';
import { loadConfig, type Config } from '../config/config';
import { localOperator, type Actor } from '../exchange/actor';
import { openStore } from '../store/open-store';
import type { CollectionRecord } from '../catalog/types';
import type { Store } from '../store/store';
import { fail } from '../errors';

export interface StoreOptions {
  db?: string;
  config?: string;
}

export function configFrom(opts: StoreOptions & { port?: string; host?: string; workers?: string }): Readonly<Config> {
  const overrides: Partial<Config> = {};
  if (opts.db !== undefined) overrides.store = opts.db;
  if (opts.host !== undefined) overrides.host = opts.host;
  if (opts.port !== undefined) {
    if (!/^\d{1,5}$/.test(opts.port)) throw fail('invalid-command', `--port ${opts.port}: must be a port number`);
    overrides.port = Number(opts.port);
  }
  if (opts.workers !== undefined) {
    if (!/^([1-9]\d{0,8}|auto)$/.test(opts.workers))
      throw fail('invalid-command', `--workers ${opts.workers}: must be a positive whole number or auto`);
    overrides.workers = opts.workers === 'auto' ? 'auto' : Number(opts.workers);
  }
  return loadConfig({ ...(opts.config !== undefined && { file: opts.config }), overrides });
}

/** Opens the configured store for `fn`, acting as the local operator, and closes it after. */
export async function withStore<T>(opts: StoreOptions, fn: (store: Store, config: Readonly<Config>, operator: Actor) => Promise<T>): Promise<T> {
  const config = configFrom(opts);
  const store = await openStore(config.store, config);
  try {
    return await fn(store, config, localOperator(config.operator));
  } finally {
    await store.close();
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Finds a collection by id or alias across API roots; an alias used in two roots needs --api-root. */
export async function findCollection(store: Store, idOrAlias: string, apiRoot?: string): Promise<CollectionRecord> {
  const matches = (await store.listCollections(apiRoot)).filter((c) => c.id === idOrAlias || c.alias === idOrAlias);
  if (matches.length === 0) throw fail('invalid-command', `no collection "${idOrAlias}"${apiRoot ? ` in API root "${apiRoot}"` : ''}`);
  if (matches.length > 1) throw fail('invalid-command', `"${idOrAlias}" names collections in several API roots; add --api-root`);
  return matches[0] as CollectionRecord;
}

export const dbOption = () => new Option('--db <file>', 'database location (default: ACCORD_DB or accord.db)');
export const configOption = () => new Option('--config <file>', 'JSON config file (default: ACCORD_CONFIG)');
