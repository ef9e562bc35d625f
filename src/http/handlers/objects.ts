/**
 * TAXII 2.1 §5.3 Get Object Manifests, §5.4 Get Objects, §5.5 Add Objects, §5.6 Get An
 * Object, §5.7 Delete An Object and §5.8 Get Object Versions, as thin adapters: each turns
 * the request into a call of the exchange service (src/exchange/), which applies the rules
 * and logs the exchange, and its result into the TAXII response.
 *
 * Read responses are assembled as text from the stored JSON: objects are sent exactly as
 * stored, without parsing and re-serialising them. A read holds one of the process's page
 * slots (ctx.pageReads) from its query until its response is handed to the socket.
 */
import type { Request, RequestHandler, Response } from 'express';
import { fail } from '../../errors';
import type { Call } from '../../exchange/exchange';
import type { ManifestRecord, ObjectPage } from '../../store/object-store';
import type { Page } from '../../store/page';
import { encodeCursor } from '../../taxii/cursor';
import { cursorScope, parseFilters, type Endpoint, type Filters } from '../../taxii/filters';
import { formatTimestamp } from '../../time';
import { doorOrigin } from '../audit';
import { parseCheckedJson, readBody } from '../body';
import { scanJson } from '../../taxii/json-depth';
import type { TaxiiContext } from '../context';
import { sendTaxii } from '../respond';
import { statusResource } from './status';
import { apiRootOf, collectionOf, decisionOf, principalOf } from '../routing';

const STIX_ID = /^[a-z0-9][a-z0-9-]{0,249}--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function objectIdParam(req: Request): string {
  const id = String(req.params.objectId);
  if (!STIX_ID.test(id)) throw fail('object-not-found', 'the object id is not a STIX identifier');
  return id;
}

/** The exchange call a request makes: its principal, the route's decision and collection, and the request as the log's origin. */
function callOf(ctx: TaxiiContext, req: Request, res: Response, successStatus: number): Call {
  return {
    actor: principalOf(req),
    authority: decisionOf(res),
    apiRoot: apiRootOf(res),
    collection: collectionOf(res),
    origin: doorOrigin(ctx, req, res, successStatus),
  };
}

interface ReadRequest {
  filters: Filters;
  /** What `next` cursors are bound to: this collection and object, and these filters. */
  scope: string;
}

function readRequest(ctx: TaxiiContext, req: Request, res: Response, endpoint: Endpoint, objectId?: string): ReadRequest {
  const scope = `${collectionOf(res).id}|${objectId ?? ''}`;
  return { filters: parseFilters(endpoint, req.query, { pageCap: ctx.config.pageCap, scope }), scope };
}

/** X-TAXII-Date-Added-First/-Last (§3.3) and, when more records remain, the `next` cursor. */
function pageMeta(page: Page<ManifestRecord>, read: ReadRequest): { headers: Record<string, string>; tail: string } {
  const headers: Record<string, string> = {};
  const first = page.records[0];
  const last = page.records[page.records.length - 1];
  if (first && last) {
    headers['X-TAXII-Date-Added-First'] = formatTimestamp(first.dateAdded);
    headers['X-TAXII-Date-Added-Last'] = formatTimestamp(last.dateAdded);
  }
  let tail = `"more":${page.more}`;
  if (page.more && last) tail += `,"next":${JSON.stringify(encodeCursor(last.dateAdded, cursorScope(read.scope, read.filters)))}`;
  return { headers, tail };
}

const CLOSE_OBJECTS = Buffer.from(']}');

/**
 * A version as the object states it (its own modified or created text), so a client that
 * compares strings finds it; a version that is the date_added, as Accord writes timestamps.
 */
const versionOf = (r: ManifestRecord) => r.versionText ?? formatTimestamp(r.version);

function sendObjects(res: Response, page: ObjectPage, read: ReadRequest): void {
  const { headers, tail } = pageMeta(page, read);
  // The page's JSON goes out as the store returned it, not copied into one buffer with its envelope.
  const body = page.records.length ? [Buffer.from(`{${tail},"objects":[`), page.json, CLOSE_OBJECTS] : `{${tail}}`;
  sendTaxii(res, 200, body, headers);
}

export function getObjects(ctx: TaxiiContext): RequestHandler {
  return async (req, res) => {
    const read = readRequest(ctx, req, res, 'objects');
    await ctx.pageReads.run(async () => sendObjects(res, await ctx.exchange.readObjects(callOf(ctx, req, res, 200), read.filters), read));
  };
}

export function getObject(ctx: TaxiiContext): RequestHandler {
  return async (req, res) => {
    const objectId = objectIdParam(req);
    const read = readRequest(ctx, req, res, 'object', objectId);
    await ctx.pageReads.run(async () => sendObjects(res, await ctx.exchange.readObject(callOf(ctx, req, res, 200), objectId, read.filters), read));
  };
}

export function getManifest(ctx: TaxiiContext): RequestHandler {
  return async (req, res) => {
    const read = readRequest(ctx, req, res, 'manifest');
    await ctx.pageReads.run(async () => sendManifest(res, await ctx.exchange.manifest(callOf(ctx, req, res, 200), read.filters), read));
  };
}

function sendManifest(res: Response, page: Page<ManifestRecord>, read: ReadRequest): void {
  const { headers, tail } = pageMeta(page, read);
  const entries = page.records.map((r) =>
    JSON.stringify({
      id: r.id,
      date_added: formatTimestamp(r.dateAdded),
      version: versionOf(r),
      media_type: `application/stix+json;version=${r.specVersion}`,
    }),
  );
  sendTaxii(res, 200, `{${tail}${entries.length ? `,"objects":[${entries.join(',')}]` : ''}}`, headers);
}

export function getVersions(ctx: TaxiiContext): RequestHandler {
  return async (req, res) => {
    const objectId = objectIdParam(req);
    const read = readRequest(ctx, req, res, 'versions', objectId);
    await ctx.pageReads.run(async () => {
      const page = await ctx.exchange.versions(callOf(ctx, req, res, 200), objectId, read.filters);
      const { headers, tail } = pageMeta(page, read);
      const versions = page.records.map((r) => JSON.stringify(versionOf(r)));
      sendTaxii(res, 200, `{${tail}${versions.length ? `,"versions":[${versions.join(',')}]` : ''}}`, headers);
    });
  };
}

export function deleteObject(ctx: TaxiiContext): RequestHandler {
  return async (req, res) => {
    const objectId = objectIdParam(req);
    const { filters } = readRequest(ctx, req, res, 'delete', objectId);
    await ctx.exchange.delete(callOf(ctx, req, res, 200), objectId, filters);
    sendTaxii(res, 200, '');
  };
}

const tooManyObjects = (max: number) => fail('too-many-objects', `an envelope may hold at most ${max} objects; send them in several`);

export function addObjects(ctx: TaxiiContext): RequestHandler {
  return async (req, res) => {
    const requestTimestamp = ctx.clock();
    const bytes = await readBody(req, apiRootOf(res).maxContentLength, ctx.config.timeouts.minBodyBytesPerSecond);
    const max = ctx.config.maxObjectsPerEnvelope;
    const scan = scanJson(bytes);
    if (scan.members > max) throw tooManyObjects(max);
    const { value: envelope, marker } = parseCheckedJson(bytes, scan);
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
      throw fail('not-an-envelope', 'the body must be a TAXII envelope: a JSON object with an "objects" list');
    }
    const list = (envelope as Record<string, unknown>).objects;
    if (!Array.isArray(list)) throw fail('not-an-envelope', 'the envelope must have an "objects" list');
    if (list.length > max) throw tooManyObjects(max);
    const status = await ctx.exchange.add(callOf(ctx, req, res, 202), list, requestTimestamp, marker);
    sendTaxii(res, 202, JSON.stringify(statusResource(status)));
  };
}
