/**
 * A real app on a real (in-memory SQLite) store, for HTTP tests through supertest: two API
 * roots, three collections, one token-only account per role and one password account.
 * Time is a controllable clock.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import pino from 'pino';
import { CatalogCache } from '../../src/access/catalog-cache';
import { createApp } from '../../src/app';
import { RefusalAggregator } from '../../src/audit/aggregate';
import { AuditLog } from '../../src/audit/log';
import { Authenticator } from '../../src/auth/authenticator';
import { addAccount, issueToken } from '../../src/catalog/accounts';
import { createAgreement } from '../../src/catalog/agreements';
import { DEFAULTS, type Config } from '../../src/config/config';
import { Sessions } from '../../src/console/sessions';
import type { AppContext } from '../../src/http/context';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { CollectionRecord, Role } from '../../src/catalog/types';
import type { Store } from '../../src/store/store';
import { BucketTable } from '../../src/throttle/bucket';
import type { Micros } from '../../src/time';
import { OPERATOR, testChange } from './changes';

export const TAXII = 'application/taxii+json;version=2.1';
export const PASSWORD = 'correct horse battery staple';

export class TestClock {
  constructor(public now: Micros = Date.UTC(2026, 0, 1) * 1000) {}
  readonly read = (): Micros => this.now;
  advance(us: Micros): void {
    this.now += us;
  }
}

export interface TestAccount {
  id: string;
  name: string;
  token: string;
  /** `Authorization` header value for this account's token. */
  auth: string;
}

export interface Harness {
  app: Express;
  store: Store;
  clock: TestClock;
  ctx: AppContext;
  config: Config;
  /**
   * admin, writer, reader, auditor: token-only accounts with that one role; editor: roles
   * writer and deleter (every content right; admin gives none).
   */
  accounts: Record<'admin' | 'writer' | 'reader' | 'auditor' | 'editor', TestAccount>;
  /** A reader that signs in with HTTP Basic: name `basic-reader`, password PASSWORD. */
  basic: { name: string; password: string };
  /** `alpha` and `beta` in API root `api1`, `gamma` in `api2`. */
  collections: Record<'alpha' | 'beta' | 'gamma', CollectionRecord>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<Config>;
  /** max_content_length of the API roots. */
  maxContentLength?: number;
  /** A SQLite file instead of a private in-memory database (so another connection can reach it). */
  storeFile?: string;
  /** STIX content policy of both API roots (default permissive). */
  contentPolicy?: 'permissive' | 'strict';
  /**
   * Whether to create the agreement `operator-all` (active, from 2000 on): every action on
   * every collection, up to TLP:RED, for the operator party all accounts belong to. Default
   * true, so that roles alone decide; agreement tests turn it off and write their own.
   */
  operatorAgreement?: boolean;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const store = new SqliteStore(options.storeFile ?? ':memory:');
  const clock = new TestClock();
  // The rate limits are off unless a test turns them on (test/http/limits.test.ts): the test
  // clock stands still, so a bucket would never refill.
  const config: Config = {
    ...DEFAULTS,
    logLevel: 'silent',
    signInLimit: { ...DEFAULTS.signInLimit, addressBurst: 0, accountBurst: 0 },
    rateLimit: { ...DEFAULTS.rateLimit, burst: 0 },
    ...options.config,
  };
  const maxContentLength = options.maxContentLength ?? 1024 * 1024;
  // Both roots accept STIX 2.0 too, so spec_version selection can be tested.
  const policy = { contentPolicy: options.contentPolicy ?? ('permissive' as const), allowedSpecVersions: ['2.0', '2.1'] };
  await store.upsertApiRoot(
    { path: 'api1', title: 'API root one', description: 'first', maxContentLength, ...policy },
    testChange('api-root', 'api1'),
  );
  await store.upsertApiRoot({ path: 'api2', title: 'API root two', maxContentLength, ...policy }, testChange('api-root', 'api2'));
  const collection = (apiRoot: string, alias: string): CollectionRecord => ({
    id: randomUUID(),
    apiRoot,
    alias,
    title: `Collection ${alias}`,
    description: `the ${alias} collection`,
    mediaTypes: ['application/stix+json;version=2.1'],
  });
  const collections = { alpha: collection('api1', 'alpha'), beta: collection('api1', 'beta'), gamma: collection('api2', 'gamma') };
  for (const c of Object.values(collections)) await store.upsertCollection(c, testChange('collection', c.id));
  await store.upsertParty({ id: 'operator', name: 'Operator', kind: 'operator' }, testChange('party', 'operator'));

  const accounts = {} as Harness['accounts'];
  const roles: Record<keyof Harness['accounts'], Role[]> = {
    admin: ['admin'],
    writer: ['writer'],
    reader: ['reader'],
    auditor: ['auditor'],
    editor: ['writer', 'deleter'],
  };
  for (const [name, given] of Object.entries(roles) as [keyof Harness['accounts'], Role[]][]) {
    const { account } = await addAccount(store, clock.read, { name, roles: given, partyId: 'operator', password: null }, OPERATOR);
    const { token } = await issueToken(store, clock.read, account.id, 'test', OPERATOR);
    accounts[name] = { id: account.id, name, token, auth: `Bearer ${token}` };
  }
  await addAccount(store, clock.read, { name: 'basic-reader', roles: ['reader'], partyId: 'operator', password: PASSWORD }, OPERATOR);
  if (options.operatorAgreement ?? true) {
    await createAgreement(store, clock.read, 'harness', {
      id: 'operator-all',
      title: 'Operator full access',
      instrument: 'test harness',
      parties: ['operator'],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [{ party: 'operator', actions: ['read', 'write', 'delete'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'clear' }],
    });
  }

  const catalog = new CatalogCache(store);
  const key = await store.secretKey();
  const authenticator = new Authenticator(catalog, clock.read, key, { cacheSeconds: config.authCacheSeconds, cacheSize: 100 });
  const sessions = new Sessions(store, clock.read, key, { idleMinutes: config.consoleIdleMinutes, sessionHours: config.consoleSessionHours });
  const log = pino({ level: 'silent' });
  // Events are written when a test flushes (h.ctx.audit.flush()) or at close, not on a timer,
  // so tests see exactly the events their requests caused.
  const audit = new AuditLog(store, clock.read, log);
  const refusals = new RefusalAggregator((e) => void audit.note(e).catch(() => undefined), {
    intervalSeconds: config.auditAggregateSeconds,
    maxSources: 1000,
  });
  const ctx: AppContext = { config, store, clock: clock.read, log, authenticator, catalog, audit, refusals, limiter: new BucketTable(), sessions };
  return {
    app: createApp(ctx),
    store,
    clock,
    ctx,
    config,
    accounts,
    basic: { name: 'basic-reader', password: PASSWORD },
    collections,
    close: async () => {
      try {
        await audit.close();
      } finally {
        await store.close();
      }
    },
  };
}

/** A minimal valid STIX 2.1 indicator; `n` varies the id, `modified` the version. */
export function indicator(n: number, modified = '2026-01-01T00:00:00.000Z', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`,
    created: '2025-01-01T00:00:00.000Z',
    modified,
    name: `indicator ${n}`,
    pattern: "[ipv4-addr:value = '198.51.100.1']",
    pattern_type: 'stix',
    valid_from: '2025-01-01T00:00:00Z',
    ...extra,
  };
}

export function envelope(objects: unknown[]): string {
  return JSON.stringify({ objects });
}
