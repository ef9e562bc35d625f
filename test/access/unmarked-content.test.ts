/**
 * Issue 13 item 6, with MITRE ATT&CK's shape: content that carries only a statement marking
 * (no TLP) counts as unmarked, which agreements treat as AMBER by default, so a reader with a
 * GREEN ceiling saw none of it, not even the marking definitions. Marking definitions are
 * now visible to every reader of a collection (STIX 2.1 §7.2.1), and a collection can say what
 * its unmarked content counts as (`unmarked_as: clear` on a public reference collection), in
 * the admin API, `collections/` and both stores.
 */
import request from 'supertest';
import { createAgreement } from '../../src/catalog/agreements';
import { collectionDoc, toCollection } from '../../src/store/mongodb/catalog-docs';
import { createHarness, indicator, TAXII, type Harness } from '../support/harness';
import { admin, expectReply } from '../admin/support';

const STATEMENT = 'marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168';
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';

const statement = {
  type: 'marking-definition',
  spec_version: '2.1',
  id: STATEMENT,
  created: '2017-06-01T00:00:00.000Z',
  definition_type: 'statement',
  definition: {
    statement: 'Copyright 2015-2026, The MITRE Corporation. MITRE ATT&CK and ATT&CK are registered trademarks of The MITRE Corporation.',
  },
};
const technique = {
  type: 'attack-pattern',
  spec_version: '2.1',
  id: 'attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b',
  created: '2020-03-02T18:45:07.892Z',
  modified: '2025-04-15T19:58:02.563Z',
  name: 'Phishing',
  object_marking_refs: [STATEMENT],
};

describe('Unmarked content and marking definitions (STIX 2.1 §7.2.1; issue 13 item 6)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ operatorAgreement: false });
    // Every harness account is the operator's: it may write anything, and read up to GREEN
    // with unmarked content counted as the default AMBER.
    await createAgreement(h.store, h.clock.read, 'test', {
      id: 'green-reader',
      title: 'read up to GREEN, write anything',
      instrument: 'test',
      parties: ['operator'],
      valid_from: '2000-01-01T00:00:00Z',
      status: 'active',
      grants: [
        { party: 'operator', actions: ['read'], collections: { all: true }, max_tlp: 'green' },
        { party: 'operator', actions: ['write'], collections: { all: true }, max_tlp: 'red', unmarked_as: 'clear' },
      ],
    });
    const pushed = await request(h.app)
      .post(`/api1/collections/${h.collections.alpha.id}/objects/`)
      .set('Authorization', h.accounts.writer.auth)
      .set('Content-Type', TAXII)
      .send(
        JSON.stringify({
          objects: [
            statement,
            technique,
            indicator(1, undefined, { object_marking_refs: [GREEN] }),
            indicator(2, undefined, { object_marking_refs: [AMBER] }),
          ],
        }),
      );
    expect(JSON.parse(pushed.text)).toMatchObject({ success_count: 4 });
  });
  afterEach(() => h.close());

  const visibleIds = async () => {
    const res = await request(h.app)
      .get(`/api1/collections/${h.collections.alpha.id}/objects/`)
      .set('Authorization', h.accounts.reader.auth)
      .set('Accept', TAXII);
    expect(res.status).toBe(200);
    return ((JSON.parse(res.text) as { objects?: { id: string }[] }).objects ?? []).map((o) => o.id).sort();
  };

  it('a GREEN reader sees the marking definitions (regression: ATT&CK showed 0 objects, not even its marking)', async () => {
    expect(await visibleIds()).toEqual([indicator(1).id, STATEMENT].sort());
  });

  it('a collection with unmarked_as clear (admin API) shows its unmarked content to a GREEN reader; marked content keeps its level', async () => {
    const put = await admin(h, 'put', `/admin/collections/${h.collections.alpha.id}`, {
      api_root: 'api1',
      alias: 'alpha',
      title: 'MITRE ATT&CK',
      unmarked_as: 'clear',
    });
    expect(expectReply(put, 200, 'put', `/admin/collections/${h.collections.alpha.id}`)).toMatchObject({ unmarked_as: 'clear' });
    expect(await visibleIds()).toEqual([indicator(1).id, STATEMENT, technique.id].sort());
    // Stored: the collection reads back with its default.
    expect((await h.store.getCollection('api1', 'alpha'))?.unmarkedAs).toBe('clear');
    // The other collections are unchanged.
    expect((await h.store.getCollection('api1', 'beta'))?.unmarkedAs).toBeUndefined();
  });

  it('the MongoDB adapter stores and reads the collection default the same way', () => {
    const record = { ...h.collections.alpha, unmarkedAs: 'clear' as const };
    expect(collectionDoc(record)).toMatchObject({ _id: record.id, unmarked_as: 'clear' });
    expect(toCollection(collectionDoc(record))).toEqual(record);
    expect(toCollection(collectionDoc(h.collections.beta))).toEqual(h.collections.beta);
  });
});
