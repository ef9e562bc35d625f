/**
 * Every index the MongoDB adapter relies on, created idempotently at start-up
 * (`createIndexes` with identical specifications is a no-op). Each entry names the queries
 * it serves; docs/operations-mongodb.md lists them for operators.
 */
import type { IndexDescription } from 'mongodb';

/** `sharded`: connected through mongos, where `objects` may be sharded on { coll, date_added }. */
export function indexes(sharded: boolean): Record<string, IndexDescription[]> {
  return {
    objects: [
      // De-duplication on add, the stored versions an add or delete reads (covered), flag
      // updates, match[id] and deletes. Unique (a re-sent object can never be stored twice)
      // except through mongos: a sharded collection's unique indexes must start with its
      // shard key. There every add is a transaction that reads the stored versions and
      // conflicts with any concurrent add on the counter document, which keeps objects single.
      { key: { coll: 1, id: 1, spec_version: 1, version: 1 }, name: 'objects_version', unique: !sharded },
      // Paging over every version (match[version]=all, first, timestamps); unique as a second
      // guard on the counter's promise that date_added never repeats. Also the shard key.
      { key: { coll: 1, date_added: 1 }, name: 'objects_added', unique: true },
      // The default selection (latest version of the newest spec_version): a page is a walk
      // of this index from the cursor position. Same key as objects_added, which MongoDB
      // allows (5.0 and later) because the partial filters differ.
      { key: { coll: 1, date_added: 1 }, name: 'objects_default', partialFilterExpression: { is_last: true, latest_spec: true } },
      // match[type].
      { key: { coll: 1, type: 1, date_added: 1 }, name: 'objects_type' },
      // Agreement scopes on the default selection: "last" as the caller sees it is a set of
      // (tlp, newer_levels) points, each walked in date_added order (queries.ts scopedLast).
      { key: { coll: 1, tlp: 1, newer_levels: 1, date_added: 1 }, name: 'objects_visible', partialFilterExpression: { latest_spec: true } },
    ],
    // The owner of each object id per collection (src/access/ownership.ts); one per id.
    object_owners: [{ key: { coll: 1, id: 1 }, name: 'owners_id', unique: true }],
    collections: [
      // getCollection by alias within an API root; aliases are unique there.
      { key: { api_root: 1, alias: 1 }, name: 'collections_alias', unique: true, partialFilterExpression: { alias: { $type: 'string' } } },
      { key: { api_root: 1, title: 1 }, name: 'collections_root' },
    ],
    accounts: [{ key: { name: 1 }, name: 'accounts_name', unique: true }],
    tokens: [
      { key: { hash: 1 }, name: 'tokens_hash', unique: true },
      { key: { account_id: 1, created_at: 1 }, name: 'tokens_account' },
    ],
    certificates: [
      { key: { account_id: 1, created_at: 1 }, name: 'certificates_account' },
      { key: { fingerprint: 1 }, name: 'certificates_fingerprint', partialFilterExpression: { fingerprint: { $type: 'string' } } },
      { key: { subject: 1, issuer: 1 }, name: 'certificates_subject', partialFilterExpression: { subject: { $type: 'string' } } },
    ],
    agreements: [{ key: { id: 1, version: 1 }, name: 'agreements_version', unique: true }],
    // The console's daily summaries, read by day range; sessions expired by idle or age.
    audit_daily: [{ key: { day: 1 }, name: 'audit_daily_day' }],
    audit_daily_withheld: [{ key: { day: 1 }, name: 'audit_daily_withheld_day' }],
    sessions: [
      { key: { last_seen_at: 1 }, name: 'sessions_seen' },
      { key: { created_at: 1 }, name: 'sessions_created' },
    ],
    // Auditor queries (queryAuditEvents), each filter field with the sequence for its order.
    audit_events: [
      { key: { time: 1 }, name: 'audit_time' },
      { key: { party: 1, _id: 1 }, name: 'audit_party' },
      { key: { account: 1, _id: 1 }, name: 'audit_account' },
      { key: { collection: 1, _id: 1 }, name: 'audit_collection' },
      { key: { country: 1, _id: 1 }, name: 'audit_country' },
      { key: { action: 1, _id: 1 }, name: 'audit_action' },
      { key: { 'objects.id': 1, _id: 1 }, name: 'audit_objects' },
      { key: { agreements: 1, _id: 1 }, name: 'audit_agreements' },
    ],
  };
}
