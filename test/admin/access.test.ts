/**
 * Who may use the admin API and what it accepts: administrators only (401 without valid
 * credentials, 403 for every other role, on every route), JSON bodies only (415), at most
 * 1 MiB (413), and nothing it does not know (404 path, 405 method, 400 parameter or JSON).
 */
import { createHarness, type Harness } from '../support/harness';
import { admin, agreementInput, expectError, expectReply, openApi, sendChunked, type Method } from './support';

/** Every documented operation, with its path made concrete. */
const operations = Object.entries(openApi.paths).flatMap(([template, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method as Method,
    path: template.replace('{version}', '1').replace(/\{[a-z]+\}/g, 'x'),
    takesBody: (op as { requestBody?: unknown }).requestBody !== undefined,
  })),
);
const withBody = operations.filter((o) => o.takesBody);
const label = (o: { method: Method; path: string }) => `${o.method.toUpperCase()} ${o.path}`;

describe('Admin API: who may use it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('there is something to check: every resource of the brief is documented', () => {
    // 28 operations of the catalogue (10 with a body), and 7 of upstream feeds (1 with a body, docs/feeds.md).
    expect(operations.length).toBe(35);
    expect(withBody.length).toBe(11);
  });

  it.each(operations.map((o) => [label(o), o] as const))('%s without credentials is 401 with both challenges', async (_l, o) => {
    const res = await admin(h, o.method, o.path, o.takesBody ? {} : undefined, null);
    expectError(res, 401);
    const challenges = ([] as string[]).concat(res.headers['www-authenticate'] ?? []).join(', ');
    expect(challenges).toContain('Basic realm="Accord"');
    expect(challenges).toContain('Bearer realm="Accord"');
  });

  it('an unknown or malformed token is 401', async () => {
    expectError(await admin(h, 'get', '/admin/parties', undefined, 'Bearer accord_not-a-token'), 401);
    expectError(await admin(h, 'get', '/admin/parties', undefined, 'Basic !!!'), 401);
  });

  it.each(['writer', 'reader', 'auditor'] as const)('a %s is refused with 403 on every route, and nothing changes', async (role) => {
    const before = (await h.store.listChanges(1000)).length;
    for (const o of operations) {
      const res = await admin(h, o.method, o.path, o.takesBody ? agreementInput('x', 'operator', { all: true }) : undefined, h.accounts[role].auth);
      expect([label(o), res.status]).toEqual([label(o), 403]);
      expectError(res, 403);
    }
    expect((await h.store.listChanges(1000)).length).toBe(before);
  });

  it('to a non-admin an unknown admin path is 403 too: the API reveals nothing to them', async () => {
    expectError(await admin(h, 'get', '/admin/secrets', undefined, h.accounts.reader.auth), 403);
  });

  it('an administrator can use it', async () => {
    expectReply(await admin(h, 'get', '/admin/parties'), 200, 'get', '/admin/parties');
  });
});

describe('Admin API: what it accepts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const changeCount = async () => (await h.store.listChanges(1000)).length;

  it.each(withBody.map((o) => [label(o), o] as const))('%s refuses bodies that are not application/json with 415', async (_l, o) => {
    for (const type of ['text/plain', 'application/taxii+json;version=2.1', 'application/jsonx', 'application/json; charset=iso-8859-1']) {
      const res = await admin(h, o.method, o.path).set('Content-Type', type).send('{}');
      expect([type, res.status]).toEqual([type, 415]);
      expectError(res, 415);
    }
    expectError(await admin(h, o.method, o.path).send(), 415);
  });

  it('application/json with charset=utf-8 and in any case is accepted', async () => {
    const body = JSON.stringify({ id: 'case-test', name: 'Case test', kind: 'vendor' });
    const res = await admin(h, 'post', '/admin/parties').set('Content-Type', 'Application/JSON; Charset="UTF-8"').send(body);
    expectReply(res, 201, 'post', '/admin/parties');
  });

  it.each(withBody.map((o) => [label(o), o] as const))('%s refuses a body over 1 MiB with 413 and changes nothing', async (_l, o) => {
    const before = await changeCount();
    const res = await admin(h, o.method, o.path)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(expectError(res, 413)).toContain('1048576');
    expect(await changeCount()).toBe(before);
  });

  it('a chunked body (no Content-Length) over 1 MiB is 413; one of exactly 1 MiB is accepted', async () => {
    const exact = (id: string) => {
      const base = JSON.stringify(agreementInput(id, 'operator', { all: true }, { terms: { text: '' } }));
      return base.replace('"text":""', `"text":"${'x'.repeat(1024 * 1024 - base.length)}"`);
    };
    const fits = exact('one-mib');
    expect(Buffer.byteLength(fits)).toBe(1024 * 1024);
    const accepted = await sendChunked(h, 'post', '/admin/agreements', [fits.slice(0, 5000), fits.slice(5000)]);
    expect(accepted.status).toBe(201);
    const over = exact('over') + ' ';
    const res = await sendChunked(h, 'post', '/admin/agreements', [over.slice(0, 5000), over.slice(5000)]);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await h.store.getAgreement('over')).toBeUndefined();
  });

  it('malformed JSON, JSON nested too deeply, and an empty body are 400', async () => {
    const post = (text: string) => admin(h, 'post', '/admin/parties').set('Content-Type', 'application/json').send(text);
    expect(expectError(await post('{"id": "x",'), 400)).toMatch(/not valid JSON/);
    expect(expectError(await post('['.repeat(100) + ']'.repeat(100)), 400)).toMatch(/nesting/);
    expectError(await post(''), 400);
  });

  it('a body that is JSON but not an object is 400 with the reason', async () => {
    expect(expectError(await admin(h, 'post', '/admin/accounts', ['reader']), 400)).toMatch(/must be object/);
    expect(expectError(await admin(h, 'post', '/admin/parties', 'operator'), 400)).toMatch(/must be object/);
  });

  it('an unknown path under /admin is 404', async () => {
    expectError(await admin(h, 'get', '/admin/nothing-here'), 404);
    expectError(await admin(h, 'get', '/admin/parties/operator/extra'), 404);
  });

  it('a method a resource does not support is 405 with Allow', async () => {
    const res = await admin(h, 'delete', '/admin/parties');
    expectError(res, 405);
    expect(res.headers.allow).toBe('GET, POST');
    expect((await admin(h, 'post', '/admin/tokens/x')).headers.allow).toBe('DELETE');
  });

  it('query parameters a route does not take are 400, never ignored; so is one given twice', async () => {
    expect(expectError(await admin(h, 'get', '/admin/parties?kind=vendor'), 400)).toMatch(/"kind" is not a parameter/);
    expect(expectError(await admin(h, 'get', '/admin/changes?limit=1&limit=2'), 400)).toMatch(/only once/);
  });
});
