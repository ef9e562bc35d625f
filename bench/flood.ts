/**
 * `npm run bench:flood [-- --seconds N]`: the flood scenario of `npm run bench` on its own
 * (bench/lib/flood.ts), on a fresh store of 10,000 objects: a legitimate poller's p50/p99
 * and the database's growth, alone and while strangers and wrong passwords flood the server.
 * Loopback only; bounded in time. Prints a markdown table and the figures as JSON.
 */
import { join } from 'node:path';
import { Client, ingest } from './lib/http';
import { floodScenario } from './lib/flood';
import { startAccord, tempDir } from './lib/processes';
import { COLLECTION_PATH, prepareStore } from './lib/setup';
import { stixObjects } from './workload';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main(): Promise<void> {
  const seconds = arg('seconds', 20);
  const db = join(tempDir('accord-flood-'), 'bench.db');
  const { store, tokens } = await prepareStore(db);
  await store.close();
  const objects = `${COLLECTION_PATH}/objects/`;
  const server = await startAccord(db);
  const writer = new Client(server.origin, tokens.writer);
  await ingest(writer, objects, stixObjects(42), 10_000, 1000);
  writer.close();
  await server.stop();
  const figures = await floodScenario(db, objects, tokens.full, seconds);
  process.stdout.write(
    '| phase | s | poller requests | p50 ms | p99 ms | flood req/s | flood statuses | DB growth KB | refusal events | their bytes |\n|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const f of figures) {
    const statuses =
      Object.entries(f.flood_statuses)
        .map(([s, c]) => `${s}: ${c}`)
        .join(', ') || '–';
    process.stdout.write(
      `| ${f.phase} | ${f.seconds} | ${f.poller_requests} | ${f.p50_ms} | ${f.p99_ms} | ${f.flood_rps} | ${statuses} | ${Math.round(f.db_growth_bytes / 1024)} | ${f.refusal_events} | ${f.refusal_event_bytes} |\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:flood failed: ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
