/**
 * Regression tests for issue #12, "Rights and provenance": each describe names the hole it
 * closes, as a hostile partner with a valid account found it.
 */
import request from 'supertest';
import { FOREIGN_CREATOR, HIDDEN_COPY, NOT_OWNER } from '../../src/access/ownership';
import { demoteForeignAdmins } from '../../src/catalog/role-migration';
import type { CollectionRecord } from '../../src/catalog/types';
import { UNSAFE_NUMBER_REASON } from '../../src/stix/json-numbers';
import { createHarness, indicator, TAXII, type Harness, type TestAccount } from '../support/harness';
import { account, agree, collection, marked, party, TLP } from '../access/support';
import { add, del, get, manifestUrl, objectsUrl, objectUrl, post, qs, statusUrl, taxii, versionsUrl } from '../http/wire';

const V1 = '2026-01-01T00:00:00.000Z';
const V2 = '2026-02-01T00:00:00.000Z';
const idOf = (o: Record<string, unknown>) => o.id as string;
const reason = (m: string | undefined) => m?.replace(/^[^:]+: /, '');

describe('issue #12 rights and provenance, over HTTP', () => {
  let h: Harness;
  let c: CollectionRecord;
  let acme: TestAccount; // vendor: writes and deletes its own content, reads up to AMBER
  let rival: TestAccount; // another vendor with the same grants
  let redReader: TestAccount;
  let amberReader: TestAccount;

  beforeAll(async () => {
    h = await createHarness({ operatorAgreement: false });
    await party(h, 'acme');
    await party(h, 'rival');
    await party(h, 'police', 'FR');
    await h.store.upsertParty(
      { id: 'signed', name: 'signed', kind: 'vendor', identityRef: 'identity--00000000-0000-4000-8000-0000000000aa' },
      { at: h.clock.read(), by: 'test', entity: 'party', entityId: 'signed', action: 'create' },
    );
    c = await collection(h, 'fr', 'FR');
    acme = await account(h, 'acme-feed', 'acme', ['writer', 'deleter']);
    rival = await account(h, 'rival-feed', 'rival', ['writer', 'deleter']);
    redReader = await account(h, 'police-red', 'police', ['reader']);
    amberReader = await account(h, 'police-amber', 'police', ['reader']);
    const vendor = (p: string) => ({
      party: p,
      actions: ['read', 'write', 'delete'] as ('read' | 'write' | 'delete')[],
      collections: { countries: ['FR'] },
      max_tlp: 'amber' as const,
      unmarked_as: 'green' as const,
    });
    await agree(h, 'vendors', [
      vendor('acme'),
      vendor('rival'),
      vendor('signed'),
      { party: 'acme', actions: ['write'], collections: { countries: ['FR'] }, max_tlp: 'red', unmarked_as: 'green' },
    ]);
    await agree(h, 'police', [{ party: 'police', actions: ['read'], collections: { countries: ['FR'] }, max_tlp: 'red', unmarked_as: 'green' }]);
    // The amber reader is the same party as the red one: give it its own party for a lower ceiling.
    await party(h, 'police-lite', 'FR');
    amberReader = await account(h, 'police-lite-reader', 'police-lite', ['reader']);
    await agree(h, 'police-lite', [
      { party: 'police-lite', actions: ['read'], collections: { countries: ['FR'] }, max_tlp: 'amber', unmarked_as: 'green' },
    ]);
  });
  afterAll(() => h.close());

  describe('1. delete was tied to the admin role', () => {
    it('an account of another party than the operator cannot be given the admin role (admin API 400, nothing created)', async () => {
      const res = await request(h.app)
        .post('/admin/accounts')
        .set('Authorization', h.accounts.admin.auth)
        .send({ name: 'acme-admin', roles: ['admin'], party: 'acme' });
      expect(res.status).toBe(400);
      expect(res.body.description).toMatch(/operator party/);
      expect(await h.store.getAccountByName('acme-admin')).toBeUndefined();
    });

    it('a partner with a delete grant has no admin API, and the operator admin has no content right', async () => {
      expect((await request(h.app).get('/admin/accounts').set('Authorization', acme.auth)).status).toBe(403);
      await add(h, c, [indicator(1)], acme.auth);
      taxii(await get(h, objectsUrl(c), h.accounts.admin.auth), 404, 'error');
      taxii(await del(h, objectUrl(c, idOf(indicator(1))), h.accounts.admin.auth), 404, 'error');
    });

    it('an admin account stored in another party (before the rule) is inert, and the start-up migration demotes it to the content roles it used', async () => {
      const now = h.clock.read();
      const base = { disabled: false, passwordHash: null, createdAt: now, updatedAt: now };
      const legacy = (entityId: string) => ({ at: now, by: 'test', entity: 'account' as const, entityId, action: 'create' });
      await h.store.createAccount({ id: 'legacy-1', name: 'legacy-admin', partyId: 'acme', roles: ['admin'], ...base }, legacy('legacy-1'));
      await h.store.createAccount({ id: 'legacy-2', name: 'idle-admin', partyId: 'rival', roles: ['admin', 'reader'], ...base }, legacy('legacy-2'));
      await h.store.appendAuditEvents([{ time: now, action: 'object.delete', outcome: 'success', account: 'legacy-admin', party: 'acme' }]);
      // Before the migration runs, the role already gives nothing outside the operator party.
      expect(
        (
          await request(h.app)
            .get('/admin/accounts')
            .set('Authorization', `Basic ${Buffer.from('legacy-admin:x').toString('base64')}`)
        ).status,
      ).toBe(401);
      expect(await demoteForeignAdmins(h.store, h.clock.read, 'operator')).toEqual(['idle-admin', 'legacy-admin']);
      expect(await h.store.getAccountByName('legacy-admin')).toMatchObject({ roles: ['deleter'], disabled: false });
      expect(await h.store.getAccountByName('idle-admin')).toMatchObject({ roles: ['reader'], disabled: false });
      expect(await demoteForeignAdmins(h.store, h.clock.read, 'operator')).toEqual([]);
      const changes = await h.store.listChanges(1000);
      expect(
        changes
          .filter((ch) => ch.by === 'migration')
          .map((ch) => ch.entityId)
          .sort(),
      ).toEqual(['legacy-1', 'legacy-2']);
    });
  });

  describe('2. delete reached what the caller cannot read', () => {
    it('DELETE of an object above the caller’s TLP ceiling answers exactly as GET (404) and removes nothing', async () => {
      const red = marked(indicator(20), TLP.red2);
      await add(h, c, [red], acme.auth); // acme writes up to RED but reads and deletes up to AMBER
      const got = taxii(await get(h, objectUrl(c, idOf(red)), acme.auth), 404, 'error');
      const deleted = taxii(await del(h, objectUrl(c, idOf(red)), acme.auth), 404, 'error');
      expect(deleted).toEqual(got);
      expect(taxii(await get(h, objectUrl(c, idOf(red)), redReader.auth), 200, 'envelope').objects).toHaveLength(1);
    });

    it('DELETE by a partner of an object it may read but does not own is 403 and removes nothing', async () => {
      const o = indicator(21);
      await add(h, c, [o], acme.auth);
      taxii(await del(h, objectUrl(c, idOf(o)), rival.auth), 403, 'error');
      expect(taxii(await get(h, objectUrl(c, idOf(o)), redReader.auth), 200, 'envelope').objects).toHaveLength(1);
    });
  });

  describe('3. anyone could version anyone’s object (STIX 2.1 §3.6: only the creator versions an object)', () => {
    it('a newer version from another party fails alone; every reader still sees the owner’s version', async () => {
      const mine = indicator(30, V1);
      await add(h, c, [mine], acme.auth);
      const forged = { ...indicator(30, V2), revoked: true };
      const status = await add(h, c, [forged, indicator(31)], rival.auth);
      expect(status.success_count).toBe(1);
      expect(status.failures?.map((f) => [f.id, reason(f.message)])).toEqual([[idOf(mine), NOT_OWNER]]);
      const seen = taxii(await get(h, objectUrl(c, idOf(mine)), redReader.auth), 200, 'envelope');
      expect(seen.objects).toEqual([mine]);
    });

    it('a party with an identity_ref cannot add an object naming another creator; its own pass unchanged', async () => {
      const signer = await account(h, 'signed-feed', 'signed', ['writer']);
      const own = { ...indicator(32), created_by_ref: 'identity--00000000-0000-4000-8000-0000000000aa' };
      const foreign = { ...indicator(33), created_by_ref: 'identity--00000000-0000-4000-8000-0000000000bb' };
      const status = await add(h, c, [own, foreign], signer.auth);
      expect(status.successes?.map((s) => s.id)).toEqual([idOf(own)]);
      expect(status.failures?.map((f) => reason(f.message))).toEqual([FOREIGN_CREATOR]);
      expect(taxii(await get(h, objectUrl(c, idOf(own)), redReader.auth), 200, 'envelope').objects).toEqual([own]);
    });

    it('an operator transfer (admin API) is on the record and lets the new owner version the object', async () => {
      const o = indicator(34, V1);
      await add(h, c, [o], acme.auth);
      const url = `/admin/collections/${c.id}/objects/${idOf(o)}/owner`;
      expect((await request(h.app).get(url).set('Authorization', h.accounts.admin.auth)).body).toMatchObject({ owner: 'acme' });
      expect((await request(h.app).put(url).set('Authorization', acme.auth).send({ party: 'rival' })).status).toBe(403);
      const moved = await request(h.app).put(url).set('Authorization', h.accounts.admin.auth).send({ party: 'rival' });
      expect(moved.body).toEqual({ collection: c.id, object: idOf(o), owner: 'rival', previous_owner: 'acme' });
      const changes = await h.store.listChanges(1000);
      expect(changes.find((ch) => ch.entity === 'object' && ch.entityId === idOf(o))).toMatchObject({
        action: 'transfer',
        detail: { from: 'acme', to: 'rival' },
      });
      expect((await add(h, c, [indicator(34, V2)], rival.auth)).success_count).toBe(1);
      expect((await add(h, c, [indicator(34, '2026-03-01T00:00:00.000Z')], acme.auth)).failure_count).toBe(1);
    });
  });

  describe('4. status resources leaked', () => {
    it('no status tells a writer about a version it may not read, nor reports its copy stored; the owner learns only that it cannot confirm it', async () => {
      const red = marked(indicator(40), TLP.red2);
      await add(h, c, [red], acme.auth);
      // The owner sends the same id+version again: it may write RED but not read it.
      const again = await add(h, c, [red], acme.auth);
      expect([again.success_count, again.failures?.map((f) => reason(f.message))]).toEqual([0, [HIDDEN_COPY]]);
      // Another party: the same words as for any id it does not own, whatever the versions.
      // (A GREEN copy under the same id and version: rival may not write RED at all.)
      const other = await add(h, c, [marked(indicator(40), TLP.green2), marked(indicator(40, V2), TLP.green2)], rival.auth);
      expect(other.failures?.map((f) => reason(f.message))).toEqual([NOT_OWNER, NOT_OWNER]);
      expect(JSON.stringify(other)).not.toMatch(/already stored/);
    });

    it('a status is readable by the account that made the request only: another account of another party (admin or not) gets 404', async () => {
      const posted = await add(h, c, [indicator(41)], acme.auth);
      taxii(await get(h, statusUrl('api1', posted.id), acme.auth), 200, 'status');
      for (const who of [rival, h.accounts.admin, redReader]) taxii(await get(h, statusUrl('api1', posted.id), who.auth), 404, 'error');
    });
  });

  describe('5. marking evasion', () => {
    it('a TLP:RED reference written with upper-case hex digits is TLP:RED: hidden from an AMBER reader, served to a RED one', async () => {
      const shouted = { ...indicator(50), object_marking_refs: [TLP.red1.toUpperCase().replace('MARKING-DEFINITION--', 'marking-definition--')] };
      expect((await add(h, c, [shouted], acme.auth)).success_count).toBe(1);
      taxii(await get(h, objectUrl(c, idOf(shouted)), amberReader.auth), 404, 'error');
      const listed = taxii(await get(h, objectsUrl(c) + qs({ 'match[id]': idOf(shouted) }), amberReader.auth), 200, 'envelope');
      expect(listed.objects).toBeUndefined();
      expect(taxii(await get(h, objectUrl(c, idOf(shouted)), redReader.auth), 200, 'envelope').objects).toEqual([shouted]);
    });
  });

  describe('6. inference across endpoints, for "first" too', () => {
    it('match[version]=first never reveals a hidden older version (issue #12, TAXII 2.1 §3.4.1 Supported Fields for Match: match[version])', async () => {
      // The oldest version is RED; an AMBER reader sees only the newer AMBER one. "first" is the
      // oldest version it may see: the AMBER one, everywhere, as match[version]=all shows it.
      const old = marked(indicator(60, V1), TLP.red2);
      const visible = marked(indicator(60, V2), TLP.amber2);
      await add(h, c, [old, visible], acme.auth);
      const first = { 'match[version]': 'first' };
      const only = { 'match[id]': idOf(old) };
      const all = taxii(await get(h, objectsUrl(c) + qs({ ...only, 'match[version]': 'all' }), amberReader.auth), 200, 'envelope');
      expect(all.objects).toEqual([visible]);
      expect(taxii(await get(h, objectsUrl(c) + qs({ ...only, ...first }), amberReader.auth), 200, 'envelope').objects).toEqual([visible]);
      expect(taxii(await get(h, objectUrl(c, idOf(old)) + qs(first), amberReader.auth), 200, 'envelope').objects).toEqual([visible]);
      const manifest = taxii(await get(h, manifestUrl(c) + qs({ ...only, ...first }), amberReader.auth), 200, 'manifest');
      expect(manifest.objects?.map((r) => r.version)).toEqual([V2]);
      // The RED reader's first is the RED version.
      expect(taxii(await get(h, objectUrl(c, idOf(old)) + qs(first), redReader.auth), 200, 'envelope').objects).toEqual([old]);
      // DELETE match[version]=first by the owner, who reads up to AMBER: its oldest readable version goes, the RED one stays.
      expect((await del(h, objectUrl(c, idOf(old)) + qs(first), acme.auth)).status).toBe(200);
      expect(taxii(await get(h, objectsUrl(c) + qs({ ...only, 'match[version]': 'all' }), redReader.auth), 200, 'envelope').objects).toEqual([old]);
      taxii(await get(h, objectUrl(c, idOf(old)) + qs(first), amberReader.auth), 404, 'error');
    });
  });

  describe('7. integers outside ±(2^53−1) were silently altered (STIX 2.1 §2.11)', () => {
    it('an object holding such an integer fails alone with the reason; the largest safe integer is stored exactly', async () => {
      const big = `{"objects":[${JSON.stringify(indicator(70)).replace(/}$/, ',"x_count":1208925819614629174706176}')},${JSON.stringify(indicator(71)).replace(/}$/, ',"x_count":9007199254740991}')},${JSON.stringify(indicator(72)).replace(/}$/, ',"x_n":-9007199254740992}')}]}`;
      const status = taxii(await post(h, objectsUrl(c), big, acme.auth), 202, 'status');
      expect(status.successes?.map((s) => s.id)).toEqual([idOf(indicator(71))]);
      expect(status.failures?.map((f) => [f.id, reason(f.message)])).toEqual([
        [idOf(indicator(70)), UNSAFE_NUMBER_REASON],
        [idOf(indicator(72)), UNSAFE_NUMBER_REASON],
      ]);
      const res = await get(h, objectUrl(c, idOf(indicator(71))), redReader.auth);
      expect(res.text).toContain('"x_count":9007199254740991');
      taxii(await get(h, versionsUrl(c, idOf(indicator(70))), redReader.auth), 404, 'error');
    });

    it('a number string inside a string value is not a number: it is stored as sent', async () => {
      const o = { ...indicator(73), x_note: 'count 1208925819614629174706176' };
      expect((await add(h, c, [o], acme.auth)).success_count).toBe(1);
    });

    it('§1.6.8 a body declared in another charset than UTF-8 gets 415 and stores nothing', async () => {
      const res = await request(h.app)
        .post(objectsUrl(c))
        .set('Authorization', acme.auth)
        .set('Accept', TAXII)
        .set('Content-Type', `${TAXII};charset=iso-8859-1`)
        .send(JSON.stringify({ objects: [indicator(74)] }));
      expect(res.status).toBe(415);
      taxii(await get(h, objectUrl(c, idOf(indicator(74))), redReader.auth), 404, 'error');
      const utf8 = await request(h.app)
        .post(objectsUrl(c))
        .set('Authorization', acme.auth)
        .set('Accept', TAXII)
        .set('Content-Type', `${TAXII}; charset=UTF-8`)
        .send(JSON.stringify({ objects: [indicator(74)] }));
      expect(utf8.status).toBe(202);
    });
  });
});
