/**
 * Slow and greedy clients (docs/security.md): how long a client may take to send its
 * headers and its whole request, how long an idle keep-alive connection stays open, and
 * how many connections may be open in all and from one address. With `--workers N` each
 * worker applies these to the connections it was handed.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Config } from '../config/config';
import type { RequestState } from './context';

/** How often node looks for requests past their header or request timeout. */
const CHECK_INTERVAL_MS = 500;

/**
 * A request with room for what Express, passport and Accord's middleware set on every request
 * (src/app.ts). Added one by one to a request object, those properties outgrew its property
 * storage several times per request; declared here, each request is allocated with them.
 * Not `query` nor `log`: those are accessors of the request prototype (src/http/routing.ts).
 */
export class AccordRequest extends IncomingMessage {
  res: unknown = undefined;
  next: unknown = undefined;
  baseUrl: unknown = undefined;
  originalUrl: unknown = undefined;
  params: unknown = undefined;
  route: unknown = undefined;
  _parsedUrl: unknown = undefined;
  id: unknown = undefined;
  user: unknown = undefined;
}

/**
 * A response whose `res.locals` (src/http/context.ts) is made with every field the middleware
 * may set: Express's default, an object without prototype, is a hash table each field is
 * inserted into.
 */
export class AccordResponse extends ServerResponse<AccordRequest> {
  locals: RequestState = {
    apiRoot: undefined,
    collection: undefined,
    decision: undefined,
    auditAction: undefined,
    audited: undefined,
    startedAt: undefined,
    startedHr: undefined,
    compression: undefined,
    coding: undefined,
  } satisfies Record<keyof RequestState, undefined>; // every field, so a new one cannot be forgotten here
}

export const serverOptions = (config: Readonly<Config>) => ({
  IncomingMessage: AccordRequest,
  ServerResponse: AccordResponse,
  connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, config.timeouts.headersMs),
  headersTimeout: config.timeouts.headersMs,
  requestTimeout: Math.max(config.timeouts.requestMs, config.timeouts.headersMs),
  keepAliveTimeout: config.timeouts.idleMs,
});

/** Caps connections in total (node refuses beyond `maxConnections`) and per client address. */
export function capConnections(server: NetServer, config: Readonly<Config>): void {
  server.maxConnections = config.connections.max;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > config.connections.perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
