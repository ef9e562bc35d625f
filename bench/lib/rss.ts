/**
 * What the bench reads from /proc about a server process tree (the server and its children,
 * e.g. cluster workers): its memory, and whether it is still busy.
 *
 * Memory of a server process tree (the server and its children, e.g. cluster workers) from
 * /proc: VmRSS summed over the tree every 100 ms, and VmHWM, each process's own peak, which
 * catches spikes between samples. HWM is reset at the start of each scenario (clear_refs 5)
 * where the kernel allows it; the sum of per-process peaks bounds the tree's peak from above.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const MB = 1024;

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // exited between listing and reading
  }
}

/** `root` and every descendant, found by parent pid in /proc/<pid>/stat. */
export function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // exited while listing
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

export interface MemoryFigures {
  /** Highest sampled sum of VmRSS over the tree, MB. */
  rss_peak_mb: number;
  /** Sum of the processes' VmHWM at the end, MB. */
  hwm_mb: number;
  /** Whether hwm_mb covers only this scenario (clear_refs worked) or the processes' whole life. */
  hwm_since: 'scenario' | 'process start';
  processes: number;
}

export class RssSampler {
  private peakKb = 0;
  private timer: NodeJS.Timeout | undefined;
  private hwmReset = true;

  constructor(private readonly root: number) {}

  start(): void {
    this.peakKb = 0;
    this.hwmReset = true;
    for (const pid of processTree(this.root)) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        this.hwmReset = false;
      }
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  /** RSS of the tree now, MB. */
  current(): number {
    return Math.round(processTree(this.root).reduce((kb, pid) => kb + statusKb(pid, 'VmRSS'), 0) / MB);
  }

  stop(): MemoryFigures {
    clearInterval(this.timer);
    this.sample();
    const tree = processTree(this.root);
    return {
      rss_peak_mb: Math.round(this.peakKb / MB),
      hwm_mb: Math.round(tree.reduce((kb, pid) => kb + statusKb(pid, 'VmHWM'), 0) / MB),
      hwm_since: this.hwmReset ? 'scenario' : 'process start',
      processes: tree.length,
    };
  }

  private sample(): void {
    const kb = processTree(this.root).reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0);
    if (kb > this.peakKb) this.peakKb = kb;
  }
}

/** Length of a clock tick in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
export const TICK_MS = 10;

/** utime + stime (clock ticks) from a /proc stat file; 0 once the process or thread is gone. */
function statTicks(file: string): number {
  try {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU time (user + system, in clock ticks) the tree has used so far, every thread included. */
export function cpuTicks(root: number): number {
  return processTree(root).reduce((ticks, pid) => ticks + statTicks(`/proc/${pid}/stat`), 0);
}

/**
 * CPU time (clock ticks) one process has used so far on its main thread, the one that
 * answers requests, and on all its other threads (worker threads, libuv's pool, V8's).
 */
export function threadTicks(pid: number): { main: number; others: number } {
  const main = statTicks(`/proc/${pid}/task/${pid}/stat`);
  return { main, others: statTicks(`/proc/${pid}/stat`) - main };
}

/**
 * Waits until the tree has (almost) stopped using CPU. When a load run ends, its requests
 * still in flight are dropped by the client but not by the server, which goes on answering
 * them; a slow endpoint can keep it busy for seconds, and the next run (a baseline, or
 * another concurrency) would share the cores with that leftover work.
 */
export async function waitUntilIdle(root: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = cpuTicks(root);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = cpuTicks(root);
    // Clock ticks are 10 ms: at most 2 in 150 ms is under 15% of one core.
    if (now - before <= 2) return;
    before = now;
  }
}
