/**
 * Preloaded into the server by `npm run bench:memory` (`node -r`), and with it into every
 * worker thread (they inherit the server's execArgv): every 100 ms each thread writes its own
 * heap figures to `<BENCH_MEMORY_PROBE_DIR>/<pid>-<thread>.json`, so the bench can say, at the
 * moment of peak RSS, what each thread's V8 heap and the buffers outside it hold. Without
 * the variable it does nothing; it is never part of `accord serve` itself.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

export interface ThreadMemory {
  thread: string;
  /** process.memoryUsage(): heapTotal, heapUsed, external, arrayBuffers of this thread's isolate (rss is the process's). */
  usage: NodeJS.MemoryUsage;
  /** Committed memory of the heap (what RSS sees of it), and malloced memory. */
  total_physical_size: number;
  malloced_memory: number;
  /** Committed size of each heap space (new_space is the young generation's semi-spaces). */
  spaces: Record<string, number>;
}

const dir = process.env.BENCH_MEMORY_PROBE_DIR;
if (dir !== undefined) {
  const thread = isMainThread ? 'main' : `worker ${threadId}`;
  const file = join(dir, `${process.pid}-${threadId}.json`);
  const write = () => {
    const heap = getHeapStatistics();
    const figures: ThreadMemory = {
      thread,
      usage: process.memoryUsage(),
      total_physical_size: heap.total_physical_size,
      malloced_memory: heap.malloced_memory,
      spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size])),
    };
    writeFileSync(file, JSON.stringify(figures));
  };
  write();
  setInterval(write, 100).unref();
}
