/**
 * Streamed exports of the sharing log (NDJSON or CSV) that can be verified offline. An export
 * starts with a header naming the filters, the log head when it began and every checkpoint,
 * carries each event with its hash and prev_hash, and ends with a trailer stating the
 * sequence range it covers. `verifyExport` recomputes every event's hash, the chain links
 * between consecutive events and the checkpoints inside the range; an unfiltered export must
 * also be gap-free up to the head it names.
 */
import type { AuditQuery, AuditStore } from '../store/audit-store';
import { canonicalJson, eventHash, GENESIS_HASH } from './chain';
import type { AuditEvent } from './events';

export type ExportFormat = 'ndjson' | 'csv';
export type ExportFilters = Omit<AuditQuery, 'limit' | 'afterSeq'>;

interface Header {
  accord_audit_export: 1;
  format: ExportFormat;
  filters: Record<string, unknown>;
  head: { seq: number; hash: string };
  checkpoints: { seq: number; hash: string }[];
}

interface Trailer {
  end: true;
  events: number;
  first_seq: number | null;
  last_seq: number | null;
}

const CSV_COLUMNS = [
  'seq',
  'time',
  'action',
  'outcome',
  'account',
  'party',
  'credential',
  'client',
  'method',
  'path',
  'api_root',
  'collection',
  'country',
  'agreements',
  'objects',
  'withheld',
  'http_status',
  'status_id',
  'hash',
  'event_json',
] as const;
const PAGE = 1000;

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything that could split a cell; newlines never occur (canonical JSON escapes them).
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""').replace(/[\r\n]/g, ' ')}"` : text;
}

function csvRow(e: AuditEvent): string {
  const { hash, ...fields } = e;
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    seq: e.seq,
    time: e.time,
    action: e.action,
    outcome: e.outcome,
    account: e.account,
    party: e.party,
    credential: e.credential,
    client: e.client,
    method: e.method,
    path: e.path,
    api_root: e.api_root,
    collection: e.collection,
    country: e.country,
    agreements: e.agreements?.join(' '),
    objects: e.objects?.length,
    withheld: e.withheld?.count,
    http_status: e.http_status,
    status_id: e.status_id,
    hash,
    event_json: canonicalJson(fields),
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

/** The export, line by line (each string ends with a newline). Covers events up to the head at its start. */
export async function* exportEvents(store: AuditStore, filters: ExportFilters, format: ExportFormat): AsyncGenerator<string> {
  const head = await store.auditHead();
  const header: Header = {
    accord_audit_export: 1,
    format,
    filters: { ...filters },
    head,
    checkpoints: (await store.listCheckpoints()).filter((c) => c.seq <= head.seq).map(({ seq, hash }) => ({ seq, hash })),
  };
  yield format === 'ndjson' ? `${JSON.stringify(header)}\n` : `# ${JSON.stringify(header)}\n${CSV_COLUMNS.join(',')}\n`;
  const trailer: Trailer = { end: true, events: 0, first_seq: null, last_seq: null };
  let afterSeq = 0;
  for (;;) {
    const page = await store.queryAuditEvents({ ...filters, afterSeq, limit: PAGE });
    const events = page.records.filter((e) => e.seq <= head.seq);
    for (const e of events) {
      yield format === 'ndjson' ? `${canonicalJson(e)}\n` : `${csvRow(e)}\n`;
      trailer.events++;
      trailer.first_seq ??= e.seq;
      trailer.last_seq = e.seq;
    }
    if (!page.more || events.length < page.records.length || page.records.length === 0) break;
    afterSeq = (page.records[page.records.length - 1] as AuditEvent).seq;
  }
  yield format === 'ndjson' ? `${JSON.stringify(trailer)}\n` : `# ${JSON.stringify(trailer)}\n`;
}

export type ExportVerification =
  { ok: true; events: number; firstSeq: number | null; lastSeq: number | null; complete: boolean } | { ok: false; line: number; problem: string };

/** One CSV record (no embedded newlines, see csvCell). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      cells.push(value);
      i++; // the comma
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}

export function verifyExport(text: string): ExportVerification {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const fail = (line: number, problem: string): ExportVerification => ({ ok: false, line, problem });
  const first = lines[0];
  if (first === undefined) return fail(1, 'the file is empty');
  let header: Header;
  try {
    header = JSON.parse(first.startsWith('# ') ? first.slice(2) : first) as Header;
  } catch {
    return fail(1, 'the first line is not an Accord audit export header');
  }
  if (header.accord_audit_export !== 1) return fail(1, 'the first line is not an Accord audit export header');
  const csv = header.format === 'csv';
  const body = lines.slice(csv ? 2 : 1);
  const last = body.pop();
  let trailer: Trailer;
  try {
    trailer = JSON.parse(last === undefined ? '' : csv && last.startsWith('# ') ? last.slice(2) : last) as Trailer;
  } catch {
    return fail(lines.length, 'the export is truncated: its trailer is missing');
  }
  if (trailer.end !== true) return fail(lines.length, 'the export is truncated: its trailer is missing');
  const offset = csv ? 3 : 2;
  const checkpoints = new Map(header.checkpoints.map((c) => [c.seq, c.hash]));
  let prev: AuditEvent | undefined;
  let contiguous = true;
  for (const [i, line] of body.entries()) {
    let event: AuditEvent;
    try {
      if (csv) {
        const cells = parseCsvLine(line);
        const fields = JSON.parse(cells[cells.length - 1] ?? '') as Omit<AuditEvent, 'hash'>;
        event = { ...fields, hash: cells[CSV_COLUMNS.indexOf('hash')] ?? '' };
      } else event = JSON.parse(line) as AuditEvent;
    } catch {
      return fail(i + offset, 'the line is not an event');
    }
    const { hash, ...fields } = event;
    if (eventHash(fields) !== hash) return fail(i + offset, `event ${event.seq} was altered (its hash does not match its content)`);
    // The readable CSV columns are not hashed themselves: they must say exactly what the hashed event says.
    if (csv && csvRow(event) !== line) return fail(i + offset, `event ${event.seq} was altered (its columns differ from its hashed content)`);
    if (prev && event.seq <= prev.seq) return fail(i + offset, `event ${event.seq} is out of order`);
    if (prev && event.seq === prev.seq + 1 && event.prev_hash !== prev.hash)
      return fail(i + offset, `event ${event.seq} does not follow event ${prev.seq}`);
    if (!prev && event.seq === 1 && event.prev_hash !== GENESIS_HASH) return fail(i + offset, 'event 1 does not start the chain');
    if (prev && event.seq !== prev.seq + 1) contiguous = false;
    const checkpoint = checkpoints.get(event.seq);
    if (checkpoint !== undefined && checkpoint !== hash) return fail(i + offset, `event ${event.seq} differs from its checkpoint`);
    prev = event;
  }
  if (trailer.events !== body.length) return fail(lines.length, `the trailer counts ${trailer.events} events but the file holds ${body.length}`);
  const unfiltered = Object.keys(header.filters).length === 0;
  const complete =
    unfiltered &&
    contiguous &&
    (body.length === 0 ? header.head.seq === 0 : prev?.seq === header.head.seq && prev.hash === header.head.hash && trailer.first_seq === 1);
  if (unfiltered && !complete) return fail(lines.length, 'an unfiltered export must hold every event from 1 to the head it names; some are missing');
  return { ok: true, events: body.length, firstSeq: trailer.first_seq, lastSeq: trailer.last_seq, complete };
}
