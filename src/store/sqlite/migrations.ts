/**
 * Schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records how many have run. Never edit a released migration: append a new one.
 */
import { QUERY_FIELDS as AUDIT_COLUMNS } from '../../audit/events';
import { TLP1_MARKINGS, TLP2_MARKINGS, TLP_NAMES, UNMARKED } from '../../stix/markings';

/** SQL computing an object's TLP level from its JSON, for rows stored before the column existed. */
const tlpCases = [...TLP1_MARKINGS, ...TLP2_MARKINGS]
  .map(([name, id]) => `WHEN '${id}' THEN ${TLP_NAMES.indexOf(name === 'white' ? 'clear' : (name as (typeof TLP_NAMES)[number]))}`)
  .join(' ');
const BACKFILL_TLP = `UPDATE objects SET tlp = COALESCE((SELECT MAX(CASE value ${tlpCases} END) FROM json_each(objects.json, '$.object_marking_refs')), ${UNMARKED})`;
/**
 * The levels of the newer versions of an `objects` row's (coll, id, spec_version), as a mask of
 * levelBit()s (src/store/scope.ts): SUM of DISTINCT bits is their OR.
 */
export const NEWER_LEVELS_OF_ROW = `(SELECT COALESCE(SUM(DISTINCT 1 << (n.tlp + 1)), 0) FROM objects n
  WHERE n.coll = objects.coll AND n.id = objects.id AND n.spec_version = objects.spec_version AND n.version > objects.version)`;
/** The levels of the older versions of an `objects` row's (coll, id, spec_version): "first" as each caller sees it. */
export const OLDER_LEVELS_OF_ROW = NEWER_LEVELS_OF_ROW.replace('n.version > objects.version', 'n.version < objects.version');
/** The same, whatever the case of the references' hex digits (src/stix/markings.ts tlpOf). */
const RECOMPUTE_TLP_ANY_CASE = `UPDATE objects SET tlp = MAX(tlp, COALESCE((SELECT MAX(CASE lower(value) ${tlpCases} END) FROM json_each(objects.json, '$.object_marking_refs')), ${UNMARKED}))
  WHERE instr(json, 'object_marking_refs') > 0`;

/** What the catalogue revision covers: a change to any of these invalidates cached lookups. */
const CATALOG_TABLES = ['api_roots', 'collections', 'parties', 'accounts', 'tokens', 'certificates', 'agreements'];

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);

  -- date_added clock: read and advanced inside the write transaction, so values stay
  -- unique and increasing even with several processes writing to one database file.
  CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
  INSERT INTO clock (id, last) VALUES (1, 0);

  CREATE TABLE api_roots (
    path TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    max_content_length INTEGER NOT NULL
  );

  CREATE TABLE collections (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    api_root TEXT NOT NULL REFERENCES api_roots(path),
    title TEXT NOT NULL,
    description TEXT,
    alias TEXT,
    media_types TEXT NOT NULL
  );
  CREATE UNIQUE INDEX collections_alias ON collections(api_root, alias) WHERE alias IS NOT NULL;

  CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT,
    identity_ref TEXT
  );

  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    party_id TEXT NOT NULL REFERENCES parties(id),
    roles TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX tokens_account ON tokens(account_id);

  -- One row per stored object version. is_first / is_last are maintained per
  -- (collection, id, spec_version); latest_spec marks rows of an object's newest
  -- spec_version. They turn TAXII's default selection (latest version of the latest
  -- spec version) into an indexed predicate instead of a per-request GROUP BY.
  CREATE TABLE objects (
    coll INTEGER NOT NULL REFERENCES collections(rid),
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    version INTEGER NOT NULL,
    date_added INTEGER NOT NULL,
    is_first INTEGER NOT NULL,
    is_last INTEGER NOT NULL,
    latest_spec INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE UNIQUE INDEX objects_version ON objects(coll, id, spec_version, version);
  CREATE UNIQUE INDEX objects_added ON objects(coll, date_added);
  CREATE INDEX objects_type ON objects(coll, type, date_added);
  CREATE INDEX objects_default ON objects(coll, date_added) WHERE is_last = 1 AND latest_spec = 1;

  CREATE TABLE statuses (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  `,
  // STIX content policy per API root (validation of pushed objects).
  `
  ALTER TABLE api_roots ADD COLUMN content_policy TEXT NOT NULL DEFAULT 'permissive';
  ALTER TABLE api_roots ADD COLUMN allowed_spec_versions TEXT NOT NULL DEFAULT '["2.1"]';
  `,
  // Data-sharing agreements; the TLP level and country that agreements are decided on.
  `
  ALTER TABLE collections ADD COLUMN country TEXT;
  ALTER TABLE objects ADD COLUMN tlp INTEGER NOT NULL DEFAULT ${UNMARKED};
  ${BACKFILL_TLP};
  -- The default selection's index also carries what agreement scopes test (TLP level, type):
  -- withheld rows are skipped from the index, without reading their JSON.
  DROP INDEX objects_default;
  CREATE INDEX objects_default ON objects(coll, date_added, tlp, type) WHERE is_last = 1 AND latest_spec = 1;
  -- One ordered walk per TLP level a caller may see, and index-only counts of what it may
  -- not see (SqliteStore.scopedByLevel, withheldByLevel).
  CREATE INDEX objects_tlp ON objects(coll, tlp, date_added, type) WHERE is_last = 1 AND latest_spec = 1;

  CREATE TABLE agreements (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (id, version)
  );
  CREATE TABLE revisions (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO revisions (name, value) VALUES ('agreements', 0);

  `,
  // The sharing log. An event's canonical JSON body is the only copy of its fields (queries
  // use expression indexes on it), so no column can be edited out of step with the hash.
  // audit_objects (which events name an object; versions are in the body) and
  // audit_agreements are lookup indexes that verification re-derives.
  `
  CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_time ON audit_events(json_extract(body, '$.time'));
  CREATE INDEX audit_party ON audit_events(json_extract(body, '$.party'), seq);
  CREATE INDEX audit_account ON audit_events(json_extract(body, '$.account'), seq);
  CREATE INDEX audit_collection ON audit_events(json_extract(body, '$.collection'), seq);
  CREATE INDEX audit_country ON audit_events(json_extract(body, '$.country'), seq);
  CREATE INDEX audit_action ON audit_events(json_extract(body, '$.action'), seq);
  CREATE TABLE audit_objects (object_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (object_id, seq)) WITHOUT ROWID;
  CREATE INDEX audit_objects_seq ON audit_objects(seq);
  CREATE TABLE audit_agreements (agreement TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (agreement, seq)) WITHOUT ROWID;
  CREATE INDEX audit_agreements_seq ON audit_agreements(seq);
  CREATE TABLE audit_checkpoints (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, time INTEGER NOT NULL);
  `,
  // Reads are indexed for custody by collection and date_added span (range-index.ts), one
  // row per read instead of one per object returned. Older reads stay in audit_objects.
  `
  CREATE TABLE audit_ranges (seq INTEGER PRIMARY KEY, coll TEXT NOT NULL, bin INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL);
  CREATE INDEX audit_ranges_bin ON audit_ranges(coll, bin, lo);
  `,
  // TLS client certificates as credentials (docs/security.md), and accounts that require one.
  `
  ALTER TABLE accounts ADD COLUMN require_certificate INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    fingerprint TEXT,
    subject TEXT,
    issuer TEXT,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX certificates_account ON certificates(account_id);
  CREATE INDEX certificates_fingerprint ON certificates(fingerprint) WHERE fingerprint IS NOT NULL;
  CREATE INDEX certificates_subject ON certificates(subject, issuer) WHERE subject IS NOT NULL;
  `,
  // Rights and provenance (docs/agreements.md): TLP references recognised whatever their
  // case; the owning party of every object id per collection, backfilled from the sharing
  // log's adds (the first party that added a version owns it). An id stored with no recorded
  // add keeps no owner: only an operator transfer gives it one.
  `
  ${RECOMPUTE_TLP_ANY_CASE};
  CREATE TABLE object_owners (coll INTEGER NOT NULL REFERENCES collections(rid), id TEXT NOT NULL, party TEXT NOT NULL, PRIMARY KEY (coll, id)) WITHOUT ROWID;
  INSERT OR IGNORE INTO object_owners (coll, id, party)
    SELECT c.rid, json_extract(o.value, '$.id'), json_extract(e.body, '$.party')
    FROM audit_events e JOIN collections c ON c.id = json_extract(e.body, '$.collection'), json_each(e.body, '$.objects') o
    WHERE json_extract(e.body, '$.action') = 'objects.add' AND json_extract(e.body, '$.party') IS NOT NULL AND json_extract(o.value, '$.date_added') IS NOT NULL
    ORDER BY e.seq;
  `,
  // "last" as each caller sees it (issue #12 item 6): the levels of every row's newer versions,
  // and one index walk per (level, newer levels) for scoped pages (paging.ts scopedByLevel).
  `
  ALTER TABLE objects ADD COLUMN newer_levels INTEGER NOT NULL DEFAULT 0;
  UPDATE objects SET newer_levels = ${NEWER_LEVELS_OF_ROW} WHERE is_last = 0;
  CREATE INDEX objects_visible ON objects(coll, tlp, newer_levels, date_added, type) WHERE latest_spec = 1;
  `,
  // Each version as the object states it (its modified or created text), for manifests and
  // version lists; rows stored before take it from their JSON.
  `
  ALTER TABLE objects ADD COLUMN version_text TEXT;
  UPDATE objects SET version_text = COALESCE(json_extract(json, '$.modified'), json_extract(json, '$.created'));
  `,
  // The console: daily summaries of the sharing log (src/audit/daily.ts), kept up to date by
  // each append and filled here from the events already logged; and console sign-ins.
  `
  CREATE TABLE audit_daily (
    day TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, party TEXT NOT NULL, coll TEXT NOT NULL,
    country TEXT NOT NULL, events INTEGER NOT NULL, objects INTEGER NOT NULL, withheld INTEGER NOT NULL,
    PRIMARY KEY (day, action, outcome, party, coll)
  ) WITHOUT ROWID;
  INSERT INTO audit_daily
    SELECT substr(json_extract(body, '$.time'), 1, 10), json_extract(body, '$.action'), json_extract(body, '$.outcome'),
           COALESCE(json_extract(body, '$.party'), ''), COALESCE(json_extract(body, '$.collection'), ''),
           MAX(COALESCE(json_extract(body, '$.country'), '')), COUNT(*),
           SUM(COALESCE(json_array_length(body, '$.objects'), 0)), SUM(COALESCE(json_extract(body, '$.withheld.count'), 0))
    FROM audit_events GROUP BY 1, 2, 3, 4, 5;
  CREATE TABLE audit_daily_withheld (
    day TEXT NOT NULL, party TEXT NOT NULL, coll TEXT NOT NULL, country TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (day, party, coll, reason)
  ) WITHOUT ROWID;
  INSERT INTO audit_daily_withheld
    SELECT substr(json_extract(e.body, '$.time'), 1, 10), COALESCE(json_extract(e.body, '$.party'), ''),
           COALESCE(json_extract(e.body, '$.collection'), ''), MAX(COALESCE(json_extract(e.body, '$.country'), '')), r.key, SUM(r.value)
    FROM audit_events e, json_each(e.body, '$.withheld.reasons') r GROUP BY 1, 2, 3, 5 HAVING SUM(r.value) > 0;

  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY, csrf_hash TEXT NOT NULL, account_id TEXT NOT NULL, credential TEXT NOT NULL,
    created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_seen ON sessions(last_seen_at);
  CREATE INDEX sessions_created ON sessions(created_at);
  `,
  // Upstream feeds (src/store/feeds.ts): definition and state as JSON, the run lease as columns.
  `
  CREATE TABLE feeds (name TEXT PRIMARY KEY, body TEXT NOT NULL, state TEXT NOT NULL, lease_owner TEXT, lease_until INTEGER);
  `,
  // A collection's own default for content without a TLP marking (CollectionRecord.unmarkedAs).
  `
  ALTER TABLE collections ADD COLUMN unmarked_as TEXT;
  `,
  // One revision for the whole catalogue (API roots, collections, parties, accounts, tokens,
  // certificates, agreements), bumped by triggers on every change, whichever connection or process makes
  // it: one read of it per request validates every cached catalogue entry (src/access/catalog-cache.ts).
  `
  UPDATE revisions SET name = 'catalog' WHERE name = 'agreements';
  ${CATALOG_TABLES.flatMap((table) =>
    ['INSERT', 'UPDATE', 'DELETE'].map(
      (op) =>
        `CREATE TRIGGER IF NOT EXISTS catalog_revision_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN UPDATE revisions SET value = value + 1 WHERE name = 'catalog'; END;`,
    ),
  ).join('\n  ')}
  `,
  // "first" as each caller sees it (issue #12, like newer_levels for "last"): the levels of every
  // row's older versions. No index: "first" is never the default selection, and its page is the
  // same objects_added walk, filtered row by row, that is_first alone needed.
  `
  ALTER TABLE objects ADD COLUMN older_levels INTEGER NOT NULL DEFAULT 0;
  UPDATE objects SET older_levels = ${OLDER_LEVELS_OF_ROW} WHERE is_first = 0;
  `,
  // The owner of an id rides on its rows (issue 15): an add inserts into no second index keyed
  // by random ids, which cost a third of its writes. object_owners keeps the owners of ids
  // stored before (their rows say NULL) and of ids whose versions were all deleted (objects.ts).
  `
  ALTER TABLE objects ADD COLUMN owner TEXT;
  `,
  // The sharing log's query fields as columns (issue 12 §15): six JSON expression indexes
  // parsed a ~10 KB read event six times per append. The body is still what the hash covers;
  // verification checks every column against it (src/audit/verify.ts), as it checks the
  // lookup tables, so no column can be edited out of step with the hash unnoticed.
  `
  ${AUDIT_COLUMNS.map((c) => `ALTER TABLE audit_events ADD COLUMN ${c} TEXT;`).join('\n  ')}
  UPDATE audit_events SET ${AUDIT_COLUMNS.map((c) => `${c} = json_extract(body, '$.${c}')`).join(', ')};
  DROP INDEX audit_time; DROP INDEX audit_party; DROP INDEX audit_account; DROP INDEX audit_collection; DROP INDEX audit_country; DROP INDEX audit_action;
  CREATE INDEX audit_time ON audit_events(time);
  CREATE INDEX audit_party ON audit_events(party, seq);
  CREATE INDEX audit_account ON audit_events(account, seq);
  CREATE INDEX audit_collection ON audit_events(collection, seq);
  CREATE INDEX audit_country ON audit_events(country, seq);
  CREATE INDEX audit_action ON audit_events(action, seq);
  `,
  // Every index an add writes is one a query walks (issue 15): objects_tlp held the rows
  // objects_visible holds with newer_levels = 0 (a row's newer versions have levels, each a
  // non-zero bit, exactly when it is not the last), so the withheld counts walk that instead.
  `
  DROP INDEX IF EXISTS objects_tlp;
  `,
];
