/**
 * The bench's own TAXII client for what is not a fixed-duration load: ingest, the crawl, and
 * the sequential page reads of the growth scenario. node:http with one kept-alive socket per
 * caller, so a timed request is one round trip on a warm connection.
 */
import http from 'node:http';
import { take, type StixObject } from '../workload';

export const TAXII = 'application/taxii+json;version=2.1';

/** What every bench request sends: the caller's API token, and the TAXII media type it accepts. */
export function taxiiHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, Accept: TAXII };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

class StaleConnection extends Error {}

/** One caller: a base URL, its token, and its own connection. */
export class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    readonly origin: string,
    readonly token: string,
  ) {}

  /**
   * One request. A kept-alive connection the server closed while this process was busy (the
   * idle timeout runs out while the next bodies are serialised) fails on reuse before the
   * server sees anything: that request is sent once more, on a new connection.
   */
  async request(method: 'GET' | 'POST', path: string, body?: string | Buffer): Promise<Reply> {
    try {
      return await this.send(method, path, body);
    } catch (err) {
      if (!(err instanceof StaleConnection)) throw err;
      return this.send(method, path, body);
    }
  }

  private send(method: 'GET' | 'POST', path: string, body?: string | Buffer): Promise<Reply> {
    const headers =
      body === undefined
        ? taxiiHeaders(this.token)
        : { ...taxiiHeaders(this.token), 'Content-Type': TAXII, 'Content-Length': String(Buffer.byteLength(body)) };
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(`${this.origin}${path}`, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleConnection() : err));
      req.end(body);
    });
  }

  async get(path: string): Promise<Reply> {
    const reply = await this.request('GET', path);
    if (reply.status !== 200) throw new Error(`GET ${path} answered ${reply.status}: ${reply.body.toString().slice(0, 500)}`);
    return reply;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Objects prepared per batch before the clock restarts: about 100 MB of bodies at most. */
const PREPARED_OBJECTS = 100_000;

/** The next `total` objects of the stream as envelope bodies of `size`, serialised up front. */
export function envelopes(stream: Iterator<StixObject>, total: number, size: number): { body: Buffer; count: number }[] {
  const out: { body: Buffer; count: number }[] = [];
  for (let sent = 0; sent < total; sent += size) {
    const count = Math.min(size, total - sent);
    out.push({ body: Buffer.from(JSON.stringify({ objects: take(stream, count) })), count });
  }
  return out;
}

/**
 * Posts prepared envelopes one request at a time, as a single pusher does, and returns the
 * seconds they took. Every object must be accepted: a failure would mean we measured refusals.
 */
export async function post(client: Client, objectsPath: string, bodies: readonly { body: Buffer; count: number }[]): Promise<number> {
  const started = performance.now();
  for (const { body, count } of bodies) {
    const { status, body: raw } = await client.request('POST', objectsPath, body);
    const text = raw.toString();
    if (status !== 202) throw new Error(`POST ${objectsPath} answered ${status}: ${text.slice(0, 500)}`);
    const s = JSON.parse(text) as { success_count: number; failure_count: number; pending_count: number; failures?: unknown[] };
    if (s.failure_count !== 0 || s.success_count + s.pending_count !== count) {
      throw new Error(
        `ingest: ${count} objects posted, ${s.success_count} stored, ${s.failure_count} failed: ${JSON.stringify(s.failures?.slice(0, 3))}`,
      );
    }
  }
  return (performance.now() - started) / 1000;
}

/**
 * Posts `total` objects from the stream in envelopes of `size`. The bodies are serialised
 * before the clock runs (in batches of PREPARED_OBJECTS, the clock stopped while each is
 * prepared), so the figure is the server's rate, not the client's JSON.stringify.
 */
export async function ingest(client: Client, objectsPath: string, stream: Iterator<StixObject>, total: number, size: number): Promise<number> {
  let seconds = 0;
  for (let done = 0; done < total; done += PREPARED_OBJECTS) {
    seconds += await post(client, objectsPath, envelopes(stream, Math.min(PREPARED_OBJECTS, total - done), size));
  }
  return seconds;
}

export interface Crawl {
  objects: number;
  seconds: number;
  /** X-TAXII-Date-Added-Last of every page: real positions for `added_after`. */
  boundaries: string[];
  /** Up to 10,000 ids of objects seen, a uniform sample (reservoir). */
  ids: string[];
}

const ID_SAMPLE = 10_000;

/**
 * Pages through the whole collection with `next`, on one connection. The next request goes
 * out as soon as the `next` cursor is known (read from the start of the body, where Accord
 * writes it), and the page is parsed while the server prepares the next one: a client that
 * streams does the same, and the figure is then the server's.
 */
export async function crawl(client: Client, objectsPath: string, limit: number): Promise<Crawl> {
  const started = performance.now();
  const boundaries: string[] = [];
  const ids: string[] = [];
  let objects = 0;
  let pending: Promise<Reply> | undefined = client.get(`${objectsPath}?limit=${limit}`);
  while (pending) {
    const reply: Reply = await pending;
    const text = reply.body.toString();
    let page: { more: boolean; next?: string; objects?: { id: string }[] } | undefined;
    let next: string | undefined;
    const cursor = /^\{"more":(true|false)(?:,"next":("[^"]+"))?[,}]/.exec(text.slice(0, 1000));
    if (cursor && (cursor[1] === 'false' || cursor[2] !== undefined)) next = cursor[2] === undefined ? undefined : (JSON.parse(cursor[2]) as string);
    else {
      // Not the layout expected: read the cursor the slow way.
      page = JSON.parse(text) as NonNullable<typeof page>;
      next = page.more ? page.next : undefined;
    }
    pending = next === undefined ? undefined : client.get(`${objectsPath}?limit=${limit}&next=${encodeURIComponent(next)}`);
    page ??= JSON.parse(text) as NonNullable<typeof page>;
    const last = reply.headers['x-taxii-date-added-last'];
    if (typeof last === 'string') boundaries.push(last);
    for (const o of page.objects ?? []) {
      objects++;
      if (ids.length < ID_SAMPLE) ids.push(o.id);
      else if (Math.random() * objects < ID_SAMPLE) ids[Math.floor(Math.random() * ID_SAMPLE)] = o.id;
    }
  }
  return { objects, seconds: (performance.now() - started) / 1000, boundaries, ids };
}

export interface Latencies {
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  requests: number;
  objects_per_page: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * `requests` sequential GETs of `path()` after `warmup` untimed ones (JIT, SQLite page
 * cache); each a round trip on a warm connection.
 */
export async function timedReads(client: Client, path: () => string, warmup: number, requests: number): Promise<Latencies> {
  for (let i = 0; i < warmup; i++) await client.get(path());
  const times: number[] = [];
  let objects = 0;
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    const reply = await client.get(path());
    times.push(performance.now() - t);
    objects += ((JSON.parse(reply.body.toString()) as { objects?: unknown[] }).objects ?? []).length;
  }
  times.sort((a, b) => a - b);
  return {
    p50_ms: round2(percentile(times, 50)),
    p99_ms: round2(percentile(times, 99)),
    mean_ms: round2(times.reduce((a, b) => a + b, 0) / times.length),
    requests,
    objects_per_page: Math.round(objects / requests),
  };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
