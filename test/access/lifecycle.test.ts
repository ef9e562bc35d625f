/**
 * Agreements change while clients are connected: expiry, revocation, suspension, a future
 * start and a revision all apply to the very next request made with the same token, and
 * the decision then cites the agreement version it rests on. So do changes to the account
 * (disabled, roles, party). Time is the harness clock, moved by the test.
 */
import { decide } from '../../src/access/decide';
import type { Principal } from '../../src/auth/principal';
import { changeAccount } from '../../src/catalog/accounts';
import { reviseAgreement, setAgreementStatus, type AgreementInput } from '../../src/catalog/agreements';
import type { CollectionRecord } from '../../src/catalog/types';
import { formatTimestamp } from '../../src/time';
import { createHarness, indicator, type Harness, type TestAccount } from '../support/harness';
import { add, collectionUrl, get, objectsUrl, post, taxii } from '../http/wire';
import { account, agree, collection, marked, party, TLP } from './support';

const HOUR = 3600 * 1e6;
const DAY = 24 * HOUR;
const idOf = (o: Record<string, unknown>) => o.id as string;

describe('agreement lifecycle takes effect on the next request', () => {
  let h: Harness;
  let seq = 0;

  // One app for all tests: each scene has its own party, accounts, collection and agreement
  // ids, so no test sees another's agreements (none grants to another scene's party).
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** A fresh party with a reader and a writer, a collection holding one object, and `id()` for its agreement ids. */
  async function scene() {
    const n = ++seq;
    const p = `party-${n}`;
    await party(h, p);
    const reader = await account(h, `reader-${n}`, p, ['reader']);
    const writer = await account(h, `writer-${n}`, p, ['writer']);
    const c = await collection(h, `coll-${n}`, 'FR');
    await add(h, c, [indicator(1)], h.accounts.editor.auth);
    return { p, reader, writer, c, id: (name: string) => `${name}-${n}` };
  }

  const read = async (c: CollectionRecord, a: TestAccount) => (await get(h, objectsUrl(c), a.auth)).status;
  const write = async (c: CollectionRecord, a: TestAccount) =>
    (await post(h, objectsUrl(c), JSON.stringify({ objects: [indicator(2)] }), a.auth)).status;
  const readGrant = (p: string): AgreementInput['grants'][number] => ({
    party: p,
    actions: ['read'],
    collections: { countries: ['FR'] },
    max_tlp: 'red',
  });
  const writeGrant = (p: string): AgreementInput['grants'][number] => ({
    party: p,
    actions: ['write'],
    collections: { countries: ['FR'] },
    max_tlp: 'red',
  });

  it('expiry: the same token reads until 1µs before valid_until; from valid_until on the collection is 404', async () => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('expiring'), [readGrant(p)], { valid_until: formatTimestamp(h.clock.now + HOUR) });
    expect(await read(c, reader)).toBe(200);
    h.clock.advance(HOUR - 1);
    expect(await read(c, reader)).toBe(200);
    h.clock.advance(1);
    expect(await read(c, reader)).toBe(404);
    expect((await get(h, collectionUrl(c), reader.auth)).status).toBe(404);
    expect(taxii(await get(h, '/api1/collections/', reader.auth), 200, 'collections')).toEqual({});
  });

  it('expiry of the write agreement only: writes become 403 while reads go on', async () => {
    const { p, writer, c, id } = await scene();
    await agree(h, id('reads'), [readGrant(p)]);
    await agree(h, id('writes'), [writeGrant(p)], { valid_until: formatTimestamp(h.clock.now + DAY) });
    expect([await read(c, writer), await write(c, writer)]).toEqual([200, 202]);
    h.clock.advance(DAY);
    expect([await read(c, writer), await write(c, writer)]).toEqual([200, 403]);
    expect(taxii(await get(h, collectionUrl(c), writer.auth), 200, 'collection')).toMatchObject({ can_read: true, can_write: false });
  });

  it.each(['revoked', 'suspended'] as const)('%s through the agreements service: the very next request is 404', async (status) => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('ag'), [readGrant(p)]);
    expect(await read(c, reader)).toBe(200);
    await setAgreementStatus(h.store, h.clock.read, 'test-admin', id('ag'), status);
    expect(await read(c, reader)).toBe(404);
  });

  it('revoking the write agreement makes the next POST 403 (the collection stays visible through the read agreement)', async () => {
    const { p, writer, c, id } = await scene();
    await agree(h, id('reads'), [readGrant(p)]);
    await agree(h, id('writes'), [writeGrant(p)]);
    expect(await write(c, writer)).toBe(202);
    await setAgreementStatus(h.store, h.clock.read, 'test-admin', id('writes'), 'revoked');
    expect(await write(c, writer)).toBe(403);
  });

  it('suspension is undone by reactivation, revocation is not', async () => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('ag'), [readGrant(p)]);
    await setAgreementStatus(h.store, h.clock.read, 'test-admin', id('ag'), 'suspended');
    expect(await read(c, reader)).toBe(404);
    await setAgreementStatus(h.store, h.clock.read, 'test-admin', id('ag'), 'active');
    expect(await read(c, reader)).toBe(200);
    await setAgreementStatus(h.store, h.clock.read, 'test-admin', id('ag'), 'revoked');
    await expect(setAgreementStatus(h.store, h.clock.read, 'test-admin', id('ag'), 'active')).rejects.toThrow('it cannot become active');
    expect(await read(c, reader)).toBe(404);
  });

  it('an agreement whose valid_from is in the future grants nothing until the clock reaches it', async () => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('future'), [readGrant(p)], { valid_from: formatTimestamp(h.clock.now + DAY) });
    expect(await read(c, reader)).toBe(404);
    h.clock.advance(DAY - 1);
    expect(await read(c, reader)).toBe(404);
    h.clock.advance(1);
    expect(await read(c, reader)).toBe(200);
  });

  it('a draft grants nothing; activating it grants from the next request', async () => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('draft'), [readGrant(p)], { status: 'draft' });
    expect(await read(c, reader)).toBe(404);
    await setAgreementStatus(h.store, h.clock.read, 'test-admin', id('draft'), 'active');
    expect(await read(c, reader)).toBe(200);
  });

  it('revising an active agreement to a lower TLP ceiling narrows the next response, and the basis cites the new version', async () => {
    const { p, reader, c, id } = await scene();
    const objs = [marked(indicator(10), TLP.green2), marked(indicator(11), TLP.amber1), marked(indicator(12), TLP.red2)];
    await add(h, c, objs, h.accounts.editor.auth);
    const terms = (max: 'red' | 'green' | 'amber'): AgreementInput => ({
      title: 'ag',
      instrument: 'urn:test:ag',
      parties: [p],
      valid_from: '2025-01-01T00:00:00Z',
      grants: [{ ...readGrant(p), max_tlp: max, unmarked_as: 'deny' }],
    });
    await agree(h, id('ag'), terms('red').grants, { status: 'active' });
    const principal = (await h.ctx.authenticator.authenticate({ kind: 'token', token: reader.token })) as Principal;
    const basis = async () => {
      const d = decide(principal, c, 'read', h.clock.read(), await h.ctx.catalog.bindingsFor(p));
      return d.allowed ? d.basis : d.reason;
    };
    const visible = async () => taxii(await get(h, objectsUrl(c), reader.auth), 200, 'envelope').objects?.map(idOf);

    // indicator(1) of the scene is unmarked: denied under unmarked_as deny.
    expect(await visible()).toEqual(objs.map(idOf));
    expect(await basis()).toEqual([`${id('ag')}@1`]);

    const v2 = await reviseAgreement(h.store, h.clock.read, 'test-admin', id('ag'), terms('green'));
    expect([v2.version, v2.status]).toEqual([2, 'active']);
    expect(await visible()).toEqual([idOf(objs[0] as Record<string, unknown>)]);
    expect(await basis()).toEqual([`${id('ag')}@2`]);

    await reviseAgreement(h.store, h.clock.read, 'test-admin', id('ag'), terms('amber'));
    expect(await visible()).toEqual(objs.slice(0, 2).map(idOf));
    expect(await basis()).toEqual([`${id('ag')}@3`]);
  });

  it('the account must be active: disabling it makes the same token 401 on the next request', async () => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('ag'), [readGrant(p)]);
    expect(await read(c, reader)).toBe(200);
    await changeAccount(h.store, h.clock.read, reader.name, { disabled: true }, 'test-admin');
    expect(await read(c, reader)).toBe(401);
  });

  it('roles decide too: a reader turned auditor no longer sees the collection; turned writer it may also write', async () => {
    const { p, reader, c, id } = await scene();
    await agree(h, id('ag'), [{ ...readGrant(p), actions: ['read', 'write'] }]);
    expect([await read(c, reader), await write(c, reader)]).toEqual([200, 403]);
    await changeAccount(h.store, h.clock.read, reader.name, { roles: ['writer'] }, 'test-admin');
    expect([await read(c, reader), await write(c, reader)]).toEqual([200, 202]);
    await changeAccount(h.store, h.clock.read, reader.name, { roles: ['auditor'] }, 'test-admin');
    expect([await read(c, reader), await write(c, reader)]).toEqual([404, 404]);
  });

  it('moving the account to another party moves it to that party’s agreements', async () => {
    const a = await scene();
    const b = await scene();
    await agree(h, a.id('a-only'), [readGrant(a.p)]);
    // b's party may read only up to green: the moved account sees what b's grant allows.
    await agree(h, b.id('b-green'), [{ ...readGrant(b.p), max_tlp: 'green', unmarked_as: 'deny' }]);
    expect(await read(a.c, a.reader)).toBe(200);
    await changeAccount(h.store, h.clock.read, a.reader.name, { partyId: b.p }, 'test-admin');
    expect(taxii(await get(h, objectsUrl(a.c), a.reader.auth), 200, 'envelope')).toEqual({ more: false });
    await changeAccount(h.store, h.clock.read, a.reader.name, { partyId: 'operator' }, 'test-admin');
    // The operator party holds the harness's operator-all agreement.
    expect(taxii(await get(h, objectsUrl(a.c), a.reader.auth), 200, 'envelope').objects?.map(idOf)).toEqual([idOf(indicator(1))]);
  });
});
