/**
 * Shared helpers for the over-the-wire tests: requests as a TAXII client sends them, and one
 * check (`taxii`) that every response has the expected status, exactly the TAXII 2.1 media
 * type and a body that is a valid TAXII resource of the expected kind.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Response } from 'supertest';
import type { CollectionRecord } from '../../src/catalog/types';
import { TAXII, type Harness } from '../support/harness';
import { assertTaxiiResource } from '../support/taxii-schemas';
import { testChange } from '../support/changes';

/** TAXII 2.1 §2 timestamp as Accord emits it: UTC, `Z`, exactly six fraction digits. */
export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

export type StixObject = Record<string, unknown> & { id: string; type: string };

export interface EnvelopeBody {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
}
export interface ManifestRecordBody {
  id: string;
  date_added: string;
  version: string;
  media_type?: string;
}
export interface ManifestBody {
  more?: boolean;
  next?: string;
  objects?: ManifestRecordBody[];
}
export interface VersionsBody {
  more?: boolean;
  next?: string;
  versions?: string[];
}
export interface StatusDetailBody {
  id: string;
  version?: string;
  message?: string;
}
export interface StatusBody {
  id: string;
  status: string;
  request_timestamp?: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: StatusDetailBody[];
  failures?: StatusDetailBody[];
  pendings?: StatusDetailBody[];
}
export interface ErrorBody {
  title: string;
  description?: string;
  http_status?: string;
  details?: Record<string, unknown>;
}
export interface CollectionBody {
  id: string;
  title: string;
  description?: string;
  alias?: string;
  can_read: boolean;
  can_write: boolean;
  media_types?: string[];
}

interface Bodies {
  envelope: EnvelopeBody;
  manifest: ManifestBody;
  versions: VersionsBody;
  status: StatusBody;
  error: ErrorBody;
  collection: CollectionBody;
  collections: { collections?: CollectionBody[] };
  discovery: Record<string, unknown>;
  'api-root': Record<string, unknown>;
}

/**
 * Checks status, the exact TAXII media type and the body's schema, and returns the body.
 * Errors must also carry `http_status` equal to the response's status (§3.6.1).
 */
export function taxii<K extends keyof Bodies>(res: Response, status: number, kind: K): Bodies[K] {
  // The body in the message: a wrong status is far easier to diagnose with it.
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toBe(TAXII);
  const body = JSON.parse(res.text) as unknown;
  assertTaxiiResource(kind, body);
  if (kind === 'error') expect((body as ErrorBody).http_status).toBe(String(status));
  return body as Bodies[K];
}

export const collectionUrl = (c: CollectionRecord) => `/${c.apiRoot}/collections/${c.id}/`;
export const objectsUrl = (c: CollectionRecord) => `${collectionUrl(c)}objects/`;
export const manifestUrl = (c: CollectionRecord) => `${collectionUrl(c)}manifest/`;
export const objectUrl = (c: CollectionRecord, id: string) => `${objectsUrl(c)}${id}/`;
export const versionsUrl = (c: CollectionRecord, id: string) => `${objectUrl(c, id)}versions/`;
export const statusUrl = (apiRoot: string, id: string) => `/${apiRoot}/status/${id}/`;

/** Both spellings of a TAXII URL: the standard's (with the trailing slash) and without it. */
export const slashForms = (url: string): [string, string] => [url, url.replace(/\/$/, '')];

/** `?a=1&b=2` with each value percent-encoded (a `+` in a timestamp offset would read as a space). */
export function qs(params: Record<string, string | number>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export function get(h: Harness, path: string, auth = h.accounts.editor.auth) {
  return request(h.app).get(path).set('Accept', TAXII).set('Authorization', auth);
}

export function post(h: Harness, path: string, body: string, auth = h.accounts.writer.auth) {
  return request(h.app).post(path).set('Accept', TAXII).set('Content-Type', TAXII).set('Authorization', auth).send(body);
}

export function del(h: Harness, path: string, auth = h.accounts.editor.auth) {
  return request(h.app).delete(path).set('Accept', TAXII).set('Authorization', auth);
}

/** POSTs an envelope and returns the 202 status resource. */
export async function add(h: Harness, c: CollectionRecord, objects: unknown[], auth = h.accounts.writer.auth): Promise<StatusBody> {
  return taxii(await post(h, objectsUrl(c), JSON.stringify({ objects }), auth), 202, 'status');
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * A POST through a real socket with exactly these bytes, for what supertest cannot send: a
 * chunked body (several chunks, no Content-Length) or bytes that are not UTF-8 (supertest
 * serialises a Buffer as JSON when the Content-Type is a JSON type).
 */
export async function rawPost(h: Harness, path: string, body: Buffer | string[], auth = h.accounts.writer.auth): Promise<RawResponse> {
  const server = h.app.listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': TAXII, Accept: TAXII, Authorization: auth };
    if (Buffer.isBuffer(body)) headers['Content-Length'] = body.length;
    else headers['Transfer-Encoding'] = 'chunked';
    return await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      for (const chunk of Buffer.isBuffer(body) ? [body] : body) req.write(chunk);
      req.end();
    });
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
}

/** A new, empty collection in the harness, so a test's data does not leak into another's. */
export async function freshCollection(h: Harness, apiRoot = 'api1'): Promise<CollectionRecord> {
  const id = randomUUID();
  const c: CollectionRecord = { id, apiRoot, title: `scratch ${id}`, mediaTypes: ['application/stix+json;version=2.1'] };
  await h.store.upsertCollection(c, testChange('collection', 'test'));
  return c;
}

/**
 * A fresh collection holding `history`: each object added alone, one second after the one
 * before, the first at `start` (µs), so each one's date_added is known to the microsecond.
 */
export async function collectionWithHistory(h: Harness, start: number, history: readonly unknown[]): Promise<CollectionRecord> {
  const c = await freshCollection(h);
  h.clock.now = start;
  for (const o of history) {
    await add(h, c, [o]);
    h.clock.advance(1_000_000);
  }
  return c;
}

/** A STIX 2.1 id with a recognisable UUID: `uuid(7)` is `…-000000000007`. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A STIX 2.0 indicator (no spec_version, `labels`, no pattern_type) with the given id and version. */
export function indicator20(id: string, modified: string): StixObject {
  return {
    type: 'indicator',
    id,
    created: '2016-01-01T00:00:00.000Z',
    modified,
    labels: ['malicious-activity'],
    name: 'a STIX 2.0 indicator',
    pattern: "[ipv4-addr:value = '203.0.113.9']",
    valid_from: '2016-01-01T00:00:00Z',
  };
}

export function malware(n: number, modified = '2026-01-01T00:00:00.000Z'): StixObject {
  return {
    type: 'malware',
    spec_version: '2.1',
    id: `malware--${uuid(n)}`,
    created: '2025-01-01T00:00:00.000Z',
    modified,
    name: `malware ${n}`,
    is_family: false,
  };
}

/** A STIX 2.1 SCO: no spec_version, created or modified, as most producers send them. */
export function ipv4(n: number): StixObject {
  return { type: 'ipv4-addr', id: `ipv4-addr--${uuid(n)}`, value: `198.51.100.${n % 256}` };
}

/** The ids of an envelope's objects, in order. */
export const idsOf = (body: EnvelopeBody | ManifestBody) => (body.objects ?? []).map((o) => o.id);
