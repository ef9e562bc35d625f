/**
 * schemas/admin/openapi.json describes the admin API exactly: every route the router serves
 * is documented and every documented operation is served; the input schemas it copies are
 * the ones the services validate with; every $ref resolves. (Each response's conformance to
 * the document is checked by the other admin tests, through expectReply.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminRouter } from '../../src/http/admin/router';
import { createHarness, type Harness } from '../support/harness';
import { admin, expectError, expectReply, openApi } from './support';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

const schemaFile = (path: string) => {
  const { $schema: _s, $id: _i, ...schema } = JSON.parse(readFileSync(join(__dirname, '../..', path), 'utf8')) as Record<string, unknown>;
  return schema;
};

describe('Admin API: the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('documents every route the router serves, and the router serves every documented operation', () => {
    const stack = (adminRouter(h.ctx, (_req, _res, next) => next()) as unknown as { stack: Layer[] }).stack;
    const served = stack
      .flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods)
              .filter((m) => m !== '_all')
              .map((m) => `${m.toUpperCase()} /admin${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`)
          : [],
      )
      .sort();
    const documented = Object.entries(openApi.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(served.length).toBeGreaterThan(20);
    expect(served).toEqual(documented);
  });

  it('is OpenAPI 3.1 and every $ref in it resolves', () => {
    expect((openApi as unknown as { openapi: string }).openapi).toMatch(/^3\.1\.\d+$/);
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(openApi);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], openApi);
      expect([ref, target === undefined]).toEqual([ref, false]);
    }
  });

  it.each([
    ['Party', 'schemas/catalog/party.json'],
    ['AgreementInput', 'schemas/catalog/agreement.json'],
    ['CollectionInput', 'schemas/admin/collection.json'],
  ])('its %s schema is %s, the schema the service validates with', (name, file) => {
    expect(openApi.components.schemas[name]).toEqual(schemaFile(file));
  });

  it('every operation documents 401 and 403; every one that takes a body documents 400, 413 and 415', () => {
    for (const [path, ops] of Object.entries(openApi.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        const needed = ['401', '403', ...((op as { requestBody?: unknown }).requestBody ? ['400', '413', '415'] : [])];
        expect([method, path, needed.filter((c) => !codes.includes(c))]).toEqual([method, path, []]);
      }
    }
  });

  it('an administrator can fetch it at /admin/openapi.json; it is the file', async () => {
    expect(expectReply(await admin(h, 'get', '/admin/openapi.json'), 200, 'get', '/admin/openapi.json')).toEqual(openApi);
  });

  it('a non-admin cannot fetch it', async () => {
    expectError(await admin(h, 'get', '/admin/openapi.json', undefined, h.accounts.writer.auth), 403);
  });
});
