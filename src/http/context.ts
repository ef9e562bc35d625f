/**
 * What every handler receives (the explicit dependencies) and what the middleware adds
 * to each request.
 */
import type { Logger } from 'pino';
import type { CatalogCache } from '../access/catalog-cache';
import type { Decision } from '../access/decide';
import type { RefusalAggregator } from '../audit/aggregate';
import type { AuditLog } from '../audit/log';
import type { Authenticator } from '../auth/authenticator';
import type { Principal } from '../auth/principal';
import type { Config } from '../config/config';
import type { Sessions } from '../console/sessions';
import type { Coding } from './compression';
import type { Exchange } from '../exchange/exchange';
import type { ApiRootRecord, CollectionRecord } from '../catalog/types';
import type { Store } from '../store/store';
import type { Limiter } from '../throttle/bucket';
import type { Turns } from '../throttle/turns';
import type { Clock } from '../time';

export interface AppContext {
  config: Readonly<Config>;
  store: Store;
  clock: Clock;
  log: Logger;
  authenticator: Authenticator;
  /** Catalogue lookups, validated once per request when it authenticates. */
  catalog: CatalogCache;
  audit: AuditLog;
  /** Console sign-ins; without it the console's sign-in answers 404 and cookies are no credential. */
  sessions?: Sessions;
  /** Where refusals nobody is accountable for are counted before they reach `audit`. */
  refusals: RefusalAggregator;
  /** The rate-limit buckets (shared by every worker under --workers). */
  limiter: Limiter;
}

/** What the TAXII handlers receive: the app's dependencies and the exchange service built on them. */
export interface TaxiiContext extends AppContext {
  exchange: Exchange;
  /** Page reads assembled at once (config pageReadConcurrency): the pages held in memory. */
  pageReads: Turns;
}

/**
 * Everything the middleware records about a request, typed once as Express's `res.locals`
 * (declaration merging below): no module casts `res.locals` to its own idea of it.
 */
export interface RequestState {
  /** The route's API root (loadApiRoot) and collection (authorize; also on a refusal, for its event). */
  apiRoot?: ApiRootRecord;
  collection?: CollectionRecord;
  /** The allowed decision for the route's right: the agreements it rests on and the object scope. */
  decision?: Extract<Decision, { allowed: true }>;
  /** The route's sharing-log action (src/app.ts), and whether this request's event is recorded. */
  auditAction?: string;
  audited?: boolean;
  startedAt?: number;
  startedHr?: bigint;
  /** The response compression settings and the coding chosen for this request (compression.ts). */
  compression?: Config['compression'];
  coding?: Coding;
}

declare global {
  // Declaration merging is how Express and passport type request additions.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
    interface Request {
      id: string;
      log: Logger;
    }
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Locals extends RequestState {}
  }
}
