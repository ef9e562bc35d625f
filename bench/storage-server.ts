/**
 * `node dist/bench/storage-server.js PORT DB_FILE`: the storage-bound baseline. A bare
 * node:http server that answers the poll scenarios' requests (objects and manifest pages by
 * `added_after`/`limit`, and one object by id) by running the page query Accord's SQLite
 * store runs, with better-sqlite3, against the same database file, and writing the same
 * response bytes; no authentication, agreements, sharing log or request log. What Accord
 * does beyond this is what its ratio to this server measures: the rows have to come out of
 * the database, so this, not replaying bytes, is the ceiling a TAXII server can reach.
 * The bench checks, per scenario, that this server's body is byte for byte Accord's.
 * Prints "listening on http://127.0.0.1:PORT" when ready; SIGTERM's default is its shutdown.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { encodeCursor } from '../src/taxii/cursor';
import { cursorScope, parseFilters, type Endpoint } from '../src/taxii/filters';
import { formatTimestamp } from '../src/time';

const [port, file] = process.argv.slice(2);
if (port === undefined || file === undefined) {
  process.stderr.write('usage: storage-server PORT DB_FILE\n');
  process.exit(2);
}
const db = new Database(file, { readonly: true });
const TAXII = 'application/taxii+json;version=2.1';
// The default selection (latest version of the newest spec version) over the partial index
// Accord's store walks; the same SQL, the same aggregates.
const DEFAULT = 'is_last = 1 AND latest_spec = 1';
const PAGE = `SELECT id, type, spec_version, version, version_text, date_added, tlp, json FROM objects WHERE coll = ? AND date_added > ? AND ${DEFAULT} ORDER BY date_added LIMIT ?`;
const BY_ID = `SELECT id, type, spec_version, version, version_text, date_added, tlp, json FROM objects INDEXED BY objects_version WHERE coll = ? AND id IN (?) AND ${DEFAULT} ORDER BY date_added LIMIT ?`;
const joined = (sql: string) =>
  db.prepare<unknown[], { json: Buffer | null; records: string }>(
    `SELECT CAST(group_concat(json, ',') AS BLOB) AS json, json_group_array(json_array(date_added, octet_length(json))) AS records FROM (${sql})`,
  );
const objectsPage = joined(PAGE);
const objectById = joined(BY_ID);
const manifestPage = db.prepare<unknown[], { id: string; spec_version: string; version: number; version_text: string | null; date_added: number }>(
  `SELECT id, type, spec_version, version, version_text, date_added, tlp FROM objects WHERE coll = ? AND date_added > ? AND ${DEFAULT} ORDER BY date_added LIMIT ?`,
);
const collections = new Map((db.prepare('SELECT id, rid FROM collections').all() as { id: string; rid: number }[]).map((c) => [c.id, c.rid]));

const ROUTE = /^\/[^/]+\/collections\/([^/]+)\/(objects|manifest)\/(?:([^/]+)\/)?$/;

/** `{"more":…,"next":…` and the date-added headers, exactly as Accord writes them. */
function page(dateAdded: number[], limit: number, scope: string, endpoint: Endpoint, query: Record<string, string>) {
  const more = dateAdded.length > limit;
  if (more) dateAdded.pop();
  const headers: Record<string, string> = { 'Content-Type': TAXII };
  const first = dateAdded[0];
  const last = dateAdded[dateAdded.length - 1];
  if (first !== undefined && last !== undefined) {
    headers['X-TAXII-Date-Added-First'] = formatTimestamp(first);
    headers['X-TAXII-Date-Added-Last'] = formatTimestamp(last);
  }
  let head = `"more":${more}`;
  if (more && last !== undefined)
    head += `,"next":${JSON.stringify(encodeCursor(last, cursorScope(scope, parseFilters(endpoint, query, { pageCap: 1000, scope }))))}`;
  return { headers, head, more };
}

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const route = ROUTE.exec(url.pathname);
  const coll = route ? collections.get(route[1] as string) : undefined;
  if (!route || coll === undefined) {
    res.writeHead(404).end();
    return;
  }
  const query = Object.fromEntries(url.searchParams);
  const endpoint: Endpoint = route[3] !== undefined ? 'object' : route[2] === 'manifest' ? 'manifest' : 'objects';
  const scope = `${route[1] as string}|${route[3] ?? ''}`;
  const filters = parseFilters(endpoint, query, { pageCap: 1000, scope });
  const after = filters.addedAfter ?? -1;
  const n = filters.limit + 1;
  let body: string | Buffer;
  let headers: Record<string, string>;
  if (endpoint === 'manifest') {
    const rows = manifestPage.all(coll, after, n);
    const p = page(
      rows.map((r) => r.date_added),
      filters.limit,
      scope,
      endpoint,
      query,
    );
    if (p.more) rows.pop();
    const entries = rows.map((r) =>
      JSON.stringify({
        id: r.id,
        date_added: formatTimestamp(r.date_added),
        version: r.version_text ?? formatTimestamp(r.version),
        media_type: `application/stix+json;version=${r.spec_version}`,
      }),
    );
    body = `{${p.head}${entries.length ? `,"objects":[${entries.join(',')}]` : ''}}`;
    headers = p.headers;
  } else {
    const row = endpoint === 'object' ? objectById.get(coll, route[3], n) : objectsPage.get(coll, after, n);
    const records = JSON.parse(row?.records ?? '[]') as [number, number][];
    let json = row?.json ?? Buffer.alloc(0);
    // The row beyond the page is cut off the end, as Accord's store does.
    const beyond = records.length === n ? records[n - 1] : undefined;
    if (beyond) json = json.subarray(0, json.length - beyond[1] - 1);
    const p = page(
      records.map((r) => r[0]),
      filters.limit,
      scope,
      endpoint,
      query,
    );
    body = records.length ? Buffer.concat([Buffer.from(`{${p.head},"objects":[`), json, Buffer.from(']}')]) : `{${p.head}}`;
    headers = p.headers;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(body);
}

const server = http.createServer(answer);
server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
