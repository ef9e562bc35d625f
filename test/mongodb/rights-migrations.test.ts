/**
 * The MongoDB equivalents of the SQLite migrations of issue #12 (src/store/mongodb/migrations.ts),
 * run in-process by mingo: the owners a database's sharing log names, and the TLP level of
 * objects whose marking references are written in upper case.
 */
import { Aggregator, Query } from 'mingo';
import type { AnyObject } from 'mingo/types';
import { correctedTlp, ownersFromAdds, UPPER_CASE_MARKINGS } from '../../src/store/mongodb/migrations';

const RED1 = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
const GREEN2 = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';

describe('MongoDB upgrades for rights and provenance (issue #12)', () => {
  it('owners: the first party whose add placed a version of an id in a collection; reads, refused copies and other actions name no owner', () => {
    const events = [
      { _id: 3, action: 'objects.add', party: 'rival', collection: 'c1', objects: [{ id: 'x', version: 'v2', date_added: 't3' }] },
      {
        _id: 1,
        action: 'objects.add',
        party: 'acme',
        collection: 'c1',
        objects: [
          { id: 'x', version: 'v1', date_added: 't1' },
          { id: 'y', version: 'v1' },
        ],
      },
      { _id: 2, action: 'objects.read', party: 'police', collection: 'c1', objects: [{ id: 'z', version: 'v1', date_added: 't2' }] },
      { _id: 4, action: 'objects.add', party: 'rival', collection: 'c2', objects: [{ id: 'x', version: 'v1', date_added: 't4' }] },
      { _id: 5, action: 'objects.add', collection: 'c1', objects: [{ id: 'w', version: 'v1', date_added: 't5' }] },
    ];
    const owners = new Aggregator(ownersFromAdds()).run(events as AnyObject[]) as { coll: string; id: string; party: string }[];
    expect(owners.map((o) => `${o.coll} ${o.id} ${o.party}`).sort()).toEqual(['c1 x acme', 'c2 x rival']);
  });

  it('upper-case marking references: found by the filter and given their TLP level; lower-case ones are left alone', () => {
    const shouted = {
      json: JSON.stringify({ object_marking_refs: [RED1.toUpperCase().replace('MARKING-DEFINITION--', 'marking-definition--')] }),
      tlp: -1,
    };
    const mixed = {
      json: JSON.stringify({ object_marking_refs: [GREEN2, RED1.toUpperCase().replace('MARKING-DEFINITION--', 'marking-definition--')] }),
      tlp: 1,
    };
    const plain = { json: JSON.stringify({ object_marking_refs: [GREEN2] }), tlp: 1 };
    expect(new Query(UPPER_CASE_MARKINGS as AnyObject).find([shouted, mixed, plain] as AnyObject[]).all()).toHaveLength(2);
    expect([correctedTlp(shouted), correctedTlp(mixed), correctedTlp(plain)]).toEqual([4, 4, undefined]);
  });
});
