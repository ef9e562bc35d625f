/**
 * Fixed-duration load with autocannon, in the bench process. Each request's path comes from
 * `path()`, called for every request (setupRequest), so no two consecutive requests need be
 * alike and no server-side cache can flatter the figures. Latencies are kept exactly (the
 * `response` event's sub-millisecond times) rather than read from autocannon's histogram,
 * which rounds to whole milliseconds; p50 of a small page is often below 2 ms.
 */
import autocannon from 'autocannon';
import { percentile, round2 } from './http';

export interface LoadOptions {
  origin: string;
  headers: Record<string, string>;
  path: () => string;
  connections: number;
  seconds: number;
}

export interface LoadFigures {
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  bytes_per_response: number;
  non2xx: number;
}

function run(opts: LoadOptions, seconds: number, onLatency?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.origin,
        connections: opts.connections,
        duration: seconds,
        // autocannon stops at the first sample tick after the duration: 100 ms, not 1 s, late.
        sampleInt: 100,
        headers: opts.headers,
        requests: [{ setupRequest: (req) => ({ ...req, path: opts.path() }) }],
      },
      (err, result) => (err ? reject(err as Error) : resolve(result)),
    );
    if (onLatency) instance.on('response', (_client, _status, _bytes, ms) => onLatency(ms));
  });
}

/** A run whose figures are discarded: JIT, SQLite page cache, connection setup. Errors still fail. */
export async function warmUp(opts: LoadOptions, seconds: number): Promise<void> {
  check(await run(opts, seconds), opts, false);
}

/**
 * The measured run. Any non-2xx answer, socket error or timeout fails the whole bench:
 * figures made of error pages would be meaningless.
 */
export async function load(opts: LoadOptions): Promise<LoadFigures> {
  const latencies: number[] = [];
  const result = check(await run(opts, opts.seconds, (ms) => latencies.push(ms)), opts);
  latencies.sort((a, b) => a - b);
  const requests = result.requests.total;
  return {
    requests,
    // One decimal: a slow endpoint may answer only a few requests in the whole run.
    rps: Math.round((requests / result.duration) * 10) / 10,
    p50_ms: round2(percentile(latencies, 50)),
    p99_ms: round2(percentile(latencies, 99)),
    // On the wire, headers included, as autocannon counts them.
    bytes_per_response: Math.round(result.throughput.total / requests),
    non2xx: result.non2xx,
  };
}

/** A warm-up of a slow endpoint may see no response complete; a measured run must see some. */
function check(result: autocannon.Result, opts: LoadOptions, needResponses = true): autocannon.Result {
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0 || (needResponses && result.requests.total === 0)) {
    throw new Error(
      `load on ${opts.origin} (e.g. ${opts.path()}), ${opts.connections} connections: ${result.requests.total} responses, ` +
        `${result.non2xx} non-2xx ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result;
}
