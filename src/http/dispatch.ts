/**
 * The TAXII route table as one middleware. Express's router walks a layer per route and per
 * handler for every request, re-matching and wrapping each call; on a page request that was
 * a measurable share of the server's CPU (README, Performance). Here the table's paths are
 * compiled once into one pattern each, matched in order, and the chosen method's handlers run
 * as a plain chain. Matching is Express's: case-insensitive, an optional trailing slash,
 * parameters are one path segment, percent-decoded (a bad escape is a 400); an unknown
 * method on a known path is 405 with Allow. Errors go to Express's error middleware.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { fail } from '../errors';
import { sendError } from './errors';

/** A path and the handler chain of each of its methods. */
export type Route = [string, Partial<Record<'get' | 'post' | 'delete', RequestHandler[]>>];
type Methods = Route[1];

interface Compiled {
  pattern: RegExp;
  names: string[];
  methods: Methods;
  allow: string;
}

function compile(path: string, methods: Methods): Compiled {
  const names: string[] = [];
  const source = path
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return {
    pattern: new RegExp(`^${source}/?$`, 'i'),
    names,
    methods,
    allow: Object.keys(methods)
      .map((m) => m.toUpperCase())
      .join(', '),
  };
}

function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw Object.assign(new URIError(`cannot decode parameter "${value}"`), { status: 400 });
  }
}

/** Runs `handlers` in order; each calls next() to go on or next(err) to stop with an error. */
function run(handlers: readonly RequestHandler[], req: Request, res: Response, done: NextFunction): void {
  let i = 0;
  const next = (err?: unknown): void => {
    if (err !== undefined && err !== null && err !== 'route') return done(err);
    const handler = handlers[i++];
    if (!handler) return done();
    try {
      const result = handler(req, res, next);
      if (result instanceof Promise) result.catch((e: unknown) => done(e ?? new Error('handler rejected')));
    } catch (e) {
      done(e);
    }
  };
  next();
}

/**
 * Several middlewares as one: each layer Express walks costs a match and a few allocations
 * per request, which the middlewares every request passes through need not pay one by one.
 */
export function inOrder(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => run(handlers, req, res, next);
}

export function dispatch(table: readonly Route[]): RequestHandler {
  const routes = table.map(([path, methods]) => compile(path, methods));
  return (req, res, next) => {
    for (const route of routes) {
      const m = route.pattern.exec(req.path);
      if (!m) continue;
      const params: Record<string, string> = {};
      try {
        route.names.forEach((name, k) => (params[name] = decodeParam(m[k + 1] as string)));
      } catch (e) {
        return next(e);
      }
      req.params = params;
      const method = req.method === 'HEAD' ? 'get' : (req.method.toLowerCase() as keyof Methods);
      const handlers = Object.hasOwn(route.methods, method) ? route.methods[method] : undefined;
      if (!handlers) {
        res.setHeader('Allow', route.allow);
        return sendError(res, fail('method-not-allowed', `this resource supports ${route.allow}`));
      }
      return run(handlers, req, res, next);
    }
    next();
  };
}
