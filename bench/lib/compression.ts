/**
 * The compression scenario: one 1,000-object page scenario at 16 connections, asked for as
 * is, with gzip and with brotli. Bytes per response (on the wire), requests per second, and
 * the CPU the server process spent per response, all its threads included (zlib runs on the
 * libuv pool): what compression costs the server and saves the network.
 */
import { load, type LoadFigures, type LoadOptions } from './load';
import type { Entry } from './report';
import { cpuTicks, TICK_MS, type RssSampler } from './rss';

const CODINGS = ['identity', 'gzip', 'br'] as const;

export async function compressionScenario(
  pid: number,
  sampler: RssSampler,
  options: LoadOptions,
  common: { endpoint: string; limit: number; objects_in_store: number; duration_s: number },
  settle: () => Promise<void>,
): Promise<Entry[]> {
  const entries: Entry[] = [];
  let identityBytes = 0;
  for (const coding of CODINGS) {
    const opts = { ...options, headers: { ...options.headers, 'Accept-Encoding': coding } };
    sampler.start();
    const before = cpuTicks(pid);
    let figures: LoadFigures;
    try {
      figures = await load(opts);
    } catch (err) {
      sampler.stop();
      throw err;
    }
    // Read at the end of the run: what the server still does for requests the client dropped
    // is left out, as those requests are.
    const cpuMs = (cpuTicks(pid) - before) * TICK_MS;
    const memory = sampler.stop();
    await settle();
    if (coding === 'identity') identityBytes = figures.bytes_per_response;
    entries.push({
      scenario: 'compression',
      ...common,
      connections: options.connections,
      workers: 1,
      memory,
      coding,
      ...figures,
      cpu_ms_per_request: Math.round((cpuMs / figures.requests) * 100) / 100,
      ratio_to_identity_bytes: Math.round((figures.bytes_per_response / identityBytes) * 1000) / 1000,
    });
  }
  return entries;
}
