/**
 * Helpers for the admin API tests: requests as an administrator sends them, and `expectReply`,
 * which checks the status, the JSON media type and that the body matches what
 * schemas/admin/openapi.json documents for that operation and status, so the document is
 * tested against real responses.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request, { type Response } from 'supertest';
import type { Harness } from '../support/harness';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export const openApi = JSON.parse(readFileSync(join(__dirname, '../../schemas/admin/openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Partial<Record<Method, { responses: Record<string, { $ref?: string; content?: { 'application/json': { schema: object } } }> }>>
  >;
  components: {
    responses: Record<string, { content: { 'application/json': { schema: object } } }>;
    schemas: Record<string, Record<string, unknown>>;
  };
};

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'tags', 'paths', 'components']);
ajv.addSchema(openApi, 'openapi');

/** An admin API request; `auth` defaults to the harness's admin token, null sends none. */
export function admin(h: Harness, method: Method, path: string, body?: unknown, auth: string | null = h.accounts.admin.auth) {
  let r = request(h.app)[method](path);
  if (auth !== null) r = r.set('Authorization', auth);
  return body === undefined ? r : r.set('Content-Type', 'application/json').send(JSON.stringify(body));
}

/** The OpenAPI path template of a concrete path, e.g. /admin/parties/{id} for /admin/parties/fr. */
export function templateOf(method: Method, path: string): string {
  const parts = path.split('?')[0]!.split('/');
  const match = Object.keys(openApi.paths).find((t) => {
    const tp = t.split('/');
    return openApi.paths[t]![method] !== undefined && tp.length === parts.length && tp.every((seg, i) => seg.startsWith('{') || seg === parts[i]);
  });
  if (!match) throw new Error(`no documented operation for ${method.toUpperCase()} ${path}`);
  return match;
}

/**
 * Expects `status` with a JSON body (or none, for 204) valid against the schema the document
 * gives this operation for this status; returns the body.
 */
export function expectReply<T = Record<string, unknown>>(res: Response, status: number, method: Method, path: string): T {
  expectStatus(res, status);
  const declared = openApi.paths[templateOf(method, path)]![method]!.responses[String(status)];
  if (!declared) throw new Error(`${method.toUpperCase()} ${path}: status ${status} is not documented`);
  if (status === 204) {
    expect(res.text).toBe('');
    return undefined as T;
  }
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const schema = declared.$ref
    ? openApi.components.responses[declared.$ref.split('/').pop()!]!.content['application/json'].schema
    : declared.content!['application/json'].schema;
  // Component schemas are compiled by reference into the document, so their own $refs resolve.
  const ref = (schema as { $ref?: string }).$ref;
  const validate = ajv.compile(ref ? { $ref: `openapi${ref}` } : schema);
  if (!validate(res.body))
    throw new Error(`${method.toUpperCase()} ${path} ${status}: body not as documented: ${ajv.errorsText(validate.errors)}\n${res.text}`);
  return res.body as T;
}

function expectStatus(res: Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
}

/** Expects an error reply: status, JSON error body as documented; returns its description. */
export function expectError(res: Response, status: number): string {
  expectStatus(res, status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  const body = res.body as { title?: unknown; description?: unknown; http_status?: unknown };
  expect(body).toEqual({ title: expect.any(String), description: expect.any(String), http_status: String(status) });
  return body.description as string;
}

/** A valid agreement in the wire form; the grant gives `party` read access to `collections`. */
export function agreementInput(id: string, party: string, collections: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id,
    title: `Agreement ${id}`,
    instrument: `DOC-${id}`,
    parties: [...new Set(['operator', party])],
    valid_from: '2025-01-01T00:00:00Z',
    grants: [{ party, actions: ['read'], collections, max_tlp: 'amber' }],
    ...extra,
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request through a real socket whose body is sent chunked (no Content-Length), which supertest cannot do. */
export async function sendChunked(h: Harness, method: Method, path: string, chunks: string[]): Promise<RawResponse> {
  const server = h.app.listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const headers = { 'Content-Type': 'application/json', Authorization: h.accounts.admin.auth, 'Transfer-Encoding': 'chunked' };
    return await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: method.toUpperCase(), headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
}
