/**
 * `npm run bench:ingest [-- --objects N] [--profile DIR] [--no-cold]`: the ingest and cold-start
 * scenarios of `npm run bench` on their own, for working on the add path. On a fresh store:
 * one pusher posts N objects (default 200,000) in 1,000-object envelopes, the bodies
 * serialised before the clock runs (bench/lib/http.ts ingest), reported per 100,000 objects;
 * then `accord serve` is started afresh with 1 and 2 workers and the first envelope each
 * worker stores is compared with warm ones (bench/lib/coldstart.ts). `--profile DIR`: the
 * ingesting server runs with `node --cpu-prof`, its profile written to DIR when it stops.
 * Prints a markdown table and the figures as JSON.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, envelopes, post } from './lib/http';
import { coldStart } from './lib/coldstart';
import { startAccord, tempDir } from './lib/processes';
import { RssSampler, threadTicks, TICK_MS } from './lib/rss';
import { COLLECTION_PATH, prepareStore } from './lib/setup';
import { stixObjects } from './workload';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SEGMENT = 100_000;

/** Bytes the process has caused to be written to storage so far (/proc/<pid>/io write_bytes). */
const writtenBytes = (pid: number): number => Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
const ENVELOPE = 1000;

async function main(): Promise<void> {
  const total = Number(option('objects') ?? 200_000);
  const profile = option('profile');
  const db = join(tempDir('accord-ingest-'), 'bench.db');
  const { store, tokens } = await prepareStore(db);
  await store.close();
  const objects = `${COLLECTION_PATH}/objects/`;
  const server = await startAccord(db, 1, 'off', profile === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(profile)]);
  const writer = new Client(server.origin, tokens.writer);
  const stream = stixObjects(42);
  const rows: {
    to: number;
    seconds: number;
    objects_per_s: number;
    cpu_us_per_object: { main: number; others: number };
    written_bytes_per_object: number;
  }[] = [];
  for (let done = 0; done < total; done += SEGMENT) {
    const count = Math.min(SEGMENT, total - done);
    const bodies = envelopes(stream, count, ENVELOPE);
    const [before, written] = [threadTicks(server.pid), writtenBytes(server.pid)];
    const seconds = await post(writer, objects, bodies);
    const [after, writtenAfter] = [threadTicks(server.pid), writtenBytes(server.pid)];
    // The server's CPU per object, its request thread apart from its other threads (the
    // sharing log's, libuv's, V8's): on a shared machine a rate alone says little.
    const perObject = (ticks: number) => Math.round((ticks * TICK_MS * 1000) / count);
    const cpu = { main: perObject(after.main - before.main), others: perObject(after.others - before.others) };
    rows.push({
      to: done + count,
      seconds: Math.round(seconds * 100) / 100,
      objects_per_s: Math.round(count / seconds),
      cpu_us_per_object: cpu,
      written_bytes_per_object: Math.round((writtenAfter - written) / count),
    });
    process.stderr.write(
      `bench:ingest: ${done + count} objects, ${rows[rows.length - 1]?.objects_per_s} objects/s, CPU µs/object ${cpu.main} + ${cpu.others}, ${rows[rows.length - 1]?.written_bytes_per_object} B written/object\n`,
    );
  }
  writer.close();
  await server.stop();
  const cold = process.argv.includes('--no-cold')
    ? []
    : [await coldStart(db, 1, tokens.writer, objects, stream, total, (pid) => new RssSampler(pid))].concat(
        await coldStart(db, 2, tokens.writer, objects, stream, total, (pid) => new RssSampler(pid)),
      );
  const figures = { load_average: loadavg().map((x) => Math.round(x * 100) / 100), ingest: rows, cold };
  process.stdout.write(
    '| objects in store | s | objects/s | CPU µs/object, request thread + others | bytes written/object |\n|---|---|---|---|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.to} | ${r.seconds} | ${r.objects_per_s} | ${r.cpu_us_per_object.main} + ${r.cpu_us_per_object.others} | ${r.written_bytes_per_object} |\n`,
    );
  for (const c of cold) {
    if (c.scenario !== 'coldstart') continue;
    process.stdout.write(
      `cold start, ${c.workers} worker(s): ready ${c.ready_ms} ms, first ${c.first_ms.join(' / ')} ms, warm ${c.warm_ms} ms, ${c.ratio_first_to_warm}×\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest failed: ${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
