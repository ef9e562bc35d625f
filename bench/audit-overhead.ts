/**
 * `node dist/bench/audit-overhead.js [--objects N] [--seconds S] [--rounds R]`: read
 * throughput with the sharing log on and with a log that discards events (bench/audit-server.ts),
 * on one store. Each round starts a fresh server process in each mode, warms it up, and loads
 * it from this process with autocannon at 8 and at 16 connections, GET objects limit=100 at
 * random page positions, compression off. The server and the load do not share an event
 * loop: a poller is another machine. Modes alternate and the cost is the median over rounds,
 * so the warm-up of the machine and the noise of other work favour neither mode.
 */
import { join } from 'node:path';
import { load, warmUp } from './lib/load';
import { Client, crawl, ingest, taxiiHeaders } from './lib/http';
import { startAuditServer, tempDir } from './lib/processes';
import { threadTicks, TICK_MS } from './lib/rss';
import { COLLECTION_PATH, prepareStore } from './lib/setup';
import { rng, stixObjects } from './workload';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const OBJECTS = `${COLLECTION_PATH}/objects/`;
const LIMIT = 100;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const total = arg('objects', 20_000);
  const seconds = arg('seconds', 5);
  const rounds = arg('rounds', 3);
  const db = join(tempDir('accord-audit-bench-'), 'bench.db');
  const { store, tokens } = await prepareStore(db);
  await store.close();

  // Ingested and crawled once, through a server with the log on, as a deployment would.
  const setup = await startAuditServer(db, 'on');
  const writer = new Client(setup.origin, tokens.writer);
  await ingest(writer, OBJECTS, stixObjects(), total, 1000);
  writer.close();
  const reader = new Client(setup.origin, tokens.full);
  // Page starts with a full page after them (the last tenth left out).
  const boundaries = (await crawl(reader, OBJECTS, LIMIT)).boundaries;
  reader.close();
  await setup.stop();
  const positions = boundaries.slice(0, Math.max(1, Math.floor(boundaries.length * 0.9)));
  const r = rng(7);
  const path = () => `${OBJECTS}?limit=${LIMIT}&added_after=${positions[Math.floor(r() * positions.length)]}`;

  const rps: Record<string, { off: number[]; on: number[] }> = { 8: { off: [], on: [] }, 16: { off: [], on: [] } };
  const cpu = { off: [] as number[], on: [] as number[] };
  const lines: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const mode of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const server = await startAuditServer(db, mode);
      const opts = { origin: server.origin, headers: taxiiHeaders(tokens.full), path, seconds };
      await warmUp({ ...opts, connections: 16 }, 2);
      for (const connections of [8, 16]) {
        const before = threadTicks(server.pid);
        const f = await load({ ...opts, connections });
        const after = threadTicks(server.pid);
        const perRequest = (ticks: number) => ((ticks * TICK_MS) / f.requests).toFixed(2);
        rps[connections]?.[mode].push(f.rps);
        cpu[mode].push((after.main - before.main + after.others - before.others) / f.requests);
        lines.push(
          `| ${round} | ${mode} | ${connections} | ${Math.round(f.rps)} | ${f.p50_ms} | ${f.p99_ms} | ${perRequest(after.main - before.main)} | ${perRequest(after.others - before.others)} |`,
        );
      }
      await server.stop();
    }
  }
  const cost = (c: number) => {
    const { off, on } = rps[c] as { off: number[]; on: number[] };
    const pairs = off.map((o, i) => 1 - (on[i] as number) / o);
    return `${(100 * median(pairs)).toFixed(1)}% (rounds: ${pairs.map((p) => `${(100 * p).toFixed(1)}%`).join(', ')})`;
  };
  process.stdout.write(
    `GET objects limit=${LIMIT}, ${total} objects, random page positions, ${seconds} s per run\n\n` +
      `| round | sharing log | connections | req/s | p50 ms | p99 ms | CPU ms/request, request thread | other threads |\n` +
      `|---|---|---|---|---|---|---|---|\n${lines.join('\n')}\n\n` +
      `cost of logging in throughput, median of rounds: 8 connections ${cost(8)}; 16 connections ${cost(16)}\n` +
      `server CPU per request, median of runs: off ${(median(cpu.off) * TICK_MS).toFixed(2)} ms, on ${(median(cpu.on) * TICK_MS).toFixed(2)} ms ` +
      `(+${(100 * (median(cpu.on) / median(cpu.off) - 1)).toFixed(1)}%)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
