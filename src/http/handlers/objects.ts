/**
 * TAXII 2.1 §5.3 Get Object Manifests, §5.4 Get Objects, §5.5 Add Objects, §5.6 Get An
 * Object, §5.7 Delete An Object and §5.8 Get Object Versions.
 *
 * Read responses are assembled as text from the stored JSON: objects are sent exactly as
 * stored, without parsing and re-serialising them.
 */
import type { Request, RequestHandler, Response } from 'express';
import { decide } from '../../access/decide';
import { AccordError, badRequest, notFound } from '../../errors';
import { baseEvent, markAudited, recordRead } from '../audit';
import type { ManifestRecord, ObjectQuery, StatusRecord } from '../../store/object-store';
import type { Page } from '../../store/page';
import { encodeCursor } from '../../taxii/cursor';
import { ALL_VERSIONS, cursorScope, parseFilters, type Endpoint, type Filters } from '../../taxii/filters';
import { addToCollection, placedRange } from '../../taxii/add-objects';
import { formatTimestamp } from '../../time';
import { parseJson, readBody, topLevelArrayMembers } from '../body';
import type { AppContext } from '../context';
import { sendTaxii } from '../respond';
import { statusResource } from './status';
import { apiRootOf, collectionOf, decisionOf, principalOf } from '../routing';

const STIX_ID = /^[a-z0-9][a-z0-9-]{0,249}--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function objectIdParam(req: Request): string {
  const id = String(req.params.objectId);
  if (!STIX_ID.test(id)) throw notFound('Object not found', 'the object id is not a STIX identifier');
  return id;
}

interface ReadRequest {
  filters: Filters;
  query: ObjectQuery;
  scope: string;
}

function readRequest(ctx: AppContext, req: Request, res: Response, endpoint: Endpoint, objectId?: string): ReadRequest {
  const collection = collectionOf(res);
  const scope = `${collection.id}|${objectId ?? ''}`;
  const filters = parseFilters(endpoint, req.query as Record<string, unknown>, { pageCap: ctx.config.pageCap, scope });
  const query: ObjectQuery = { collectionId: collection.id, ...filters, scope: decisionOf(res).scope };
  if (objectId !== undefined) query.ids = [objectId];
  return { filters, query, scope };
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

/** Every spec version an object may have here, for questions about any version of it. */
const ANY_SPEC_VERSION = ['2.0', '2.1'];

/**
 * §5.6 and §5.8 answer 404 for an object the collection does not hold, or none of whose
 * versions the caller may see; filters that match none of its versions give an empty page.
 */
async function assertObjectExists(ctx: AppContext, query: ObjectQuery, objectId: string): Promise<void> {
  const any = await ctx.store.queryManifest({
    collectionId: query.collectionId,
    ids: [objectId],
    versions: ALL_VERSIONS,
    specVersions: ANY_SPEC_VERSION,
    limit: 1,
    ...(query.scope && { scope: query.scope }),
  });
  if (any.records.length === 0) throw notFound('Object not found', `the collection holds no object ${objectId}`);
}

/** What the sharing log records of a page: the versions returned, their date_added span and what was withheld. */
function pageAudit(page: Page<ManifestRecord>) {
  const first = page.records[0];
  const last = page.records[page.records.length - 1];
  return {
    objects: page.records.map((r) => ({ id: r.id, version: formatTimestamp(r.version) })),
    ...(first && last && { date_added_range: { first: formatTimestamp(first.dateAdded), last: formatTimestamp(last.dateAdded) } }),
    ...(page.withheld && page.withheld.count > 0 && { withheld: page.withheld }),
  };
}

const CLOSE_OBJECTS = Buffer.from(']}');

async function sendObjects(ctx: AppContext, req: Request, res: Response, read: ReadRequest): Promise<void> {
  const page = await ctx.store.queryObjects(read.query);
  await recordRead(ctx, req, res, pageAudit(page));
  const { headers, tail } = pageMeta(page, read);
  const body = page.records.length ? Buffer.concat([Buffer.from(`{${tail},"objects":[`), page.json, CLOSE_OBJECTS]) : `{${tail}}`;
  sendTaxii(res, 200, body, headers);
}

export function getObjects(ctx: AppContext): RequestHandler {
  return async (req, res) => sendObjects(ctx, req, res, readRequest(ctx, req, res, 'objects'));
}

export function getObject(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const objectId = objectIdParam(req);
    const read = readRequest(ctx, req, res, 'object', objectId);
    await assertObjectExists(ctx, read.query, objectId);
    await sendObjects(ctx, req, res, read);
  };
}

export function getManifest(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const read = readRequest(ctx, req, res, 'manifest');
    const page = await ctx.store.queryManifest(read.query);
    await recordRead(ctx, req, res, pageAudit(page));
    const { headers, tail } = pageMeta(page, read);
    const entries = page.records.map((r) =>
      JSON.stringify({
        id: r.id,
        date_added: formatTimestamp(r.dateAdded),
        version: formatTimestamp(r.version),
        media_type: `application/stix+json;version=${r.specVersion}`,
      }),
    );
    sendTaxii(res, 200, `{${tail}${entries.length ? `,"objects":[${entries.join(',')}]` : ''}}`, headers);
  };
}

export function getVersions(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const objectId = objectIdParam(req);
    const read = readRequest(ctx, req, res, 'versions', objectId);
    await assertObjectExists(ctx, read.query, objectId);
    const page = await ctx.store.queryManifest(read.query);
    await recordRead(ctx, req, res, pageAudit(page));
    const { headers, tail } = pageMeta(page, read);
    const versions = page.records.map((r) => `"${formatTimestamp(r.version)}"`);
    sendTaxii(res, 200, `{${tail}${versions.length ? `,"versions":[${versions.join(',')}]` : ''}}`, headers);
  };
}

export function deleteObject(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const objectId = objectIdParam(req);
    const { filters } = readRequest(ctx, req, res, 'delete', objectId);
    if (!ctx.audit.healthy) throw new AccordError('unavailable', 'Sharing log unavailable', 'changes are refused while the sharing log cannot be written');
    const removed = await ctx.store.deleteObject(collectionOf(res).id, objectId, filters.versions, filters.specVersions, decisionOf(res).scope, (versions) => ({
      ...baseEvent(ctx, req, res, 'object.delete', 'success', 200),
      objects: versions,
    }));
    if (removed > 0) markAudited(res);
    if (removed === 0) throw notFound('Object not found', `no version of ${objectId} in this collection matches the request`);
    sendTaxii(res, 200, '');
  };
}

/**
 * "already stored" must not tell a writer that a version it may not read exists: for such
 * versions the answer is the one for a new object. (The sharing log keeps the truth.)
 */
async function withoutHiddenDuplicates(ctx: AppContext, req: Request, res: Response, status: StatusRecord): Promise<StatusRecord> {
  const duplicates = status.successes.filter((s) => s.message === 'already stored');
  if (duplicates.length === 0) return status;
  const principal = principalOf(req);
  const read = decide(principal, collectionOf(res), 'read', ctx.clock(), await ctx.agreements.bindingsFor(principal.partyId));
  const visible = new Set<string>();
  if (read.allowed) {
    const ids = [...new Set(duplicates.map((d) => d.id))];
    const page = await ctx.store.queryManifest({ collectionId: collectionOf(res).id, ids, versions: ALL_VERSIONS, specVersions: ANY_SPEC_VERSION, scope: read.scope, limit: ctx.config.pageCap });
    for (const r of page.records) visible.add(`${r.id} ${formatTimestamp(r.version)}`);
  }
  return {
    ...status,
    successes: status.successes.map((s) => (s.message === 'already stored' && !visible.has(`${s.id} ${s.version ?? ''}`) ? { id: s.id, ...(s.version !== undefined && { version: s.version }) } : s)),
  };
}

const tooManyObjects = (max: number) => new AccordError('too-large', 'Too many objects', `an envelope may hold at most ${max} objects; send them in several`);

export function addObjects(ctx: AppContext): RequestHandler {
  return async (req, res) => {
    const requestTimestamp = ctx.clock();
    const root = apiRootOf(res);
    const bytes = await readBody(req, root.maxContentLength, ctx.config.timeouts.minBodyBytesPerSecond);
    const max = ctx.config.maxObjectsPerEnvelope;
    if (topLevelArrayMembers(bytes) > max) throw tooManyObjects(max);
    const envelope = parseJson(bytes);
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
      throw badRequest('Not an envelope', 'the body must be a TAXII envelope: a JSON object with an "objects" list');
    }
    const list = (envelope as Record<string, unknown>).objects;
    if (!Array.isArray(list)) throw badRequest('Not an envelope', 'the envelope must have an "objects" list');
    if (list.length > max) throw tooManyObjects(max);
    if (!ctx.audit.healthy) throw new AccordError('unavailable', 'Sharing log unavailable', 'changes are refused while the sharing log cannot be written');
    const status = await addToCollection(ctx.store, {
      root,
      collection: collectionOf(res),
      accountId: principalOf(req).accountId,
      scope: decisionOf(res).scope,
      objects: list,
      requestTimestamp,
      now: ctx.clock(),
      maxObjectSize: ctx.config.maxObjectSize,
      audit: (s, versions) => ({
        ...baseEvent(ctx, req, res, 'objects.add', 'success', 202),
        objects: versions,
        // The add is indexed by the span of its new versions (rangeIndexed).
        ...placedRange(versions),
        status_id: s.id,
        ...(s.failureCount > 0 && { detail: { failed: s.failureCount, total: s.totalCount } }),
      }),
    });
    markAudited(res);
    sendTaxii(res, 202, JSON.stringify(statusResource(await withoutHiddenDuplicates(ctx, req, res, status))));
  };
}
