/**
 * WAL checkpoints off the request thread (issue 15): a worker thread with its own connection
 * copies the WAL into the database file, so no request's commit pays for it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { systemClock } from '../../src/time';

// The worker runs the TypeScript sources too, so it needs the same require hook as the CLI tests.
const SWC = ['-r', join(__dirname, '..', 'support', 'swc-register.js')];
/** No timed checkpoint during a test: each one is asked for (checkpointNow). */
const NEVER = 3_600_000;

const unexpected = (message: string) => {
  throw new Error(`no warning expected: ${message}`);
};

async function withFile(run: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-checkpoint-'));
  try {
    await run(join(dir, 'a.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const addEvents = (store: SqliteStore, n: number) =>
  store.appendAuditEvents(Array.from({ length: n }, () => ({ time: systemClock(), action: 'objects.add', outcome: 'success' as const })));

describe('SqliteStore: WAL checkpoints on a thread of their own', () => {
  it('the checkpoint thread copies every committed frame into the database file, which then holds the commits without the WAL', () =>
    withFile(async (file) => {
      const store = new SqliteStore(file, true);
      try {
        await store.startBackgroundCheckpoints(unexpected, { intervalMs: NEVER, execArgv: SWC });
        await addEvents(store, 200);
        const result = await store.checkpointNow();
        expect(result?.frames).toBeGreaterThan(0);
        expect(result?.copied).toBe(result?.frames);
        // What was copied is the database file's own: a copy of the file alone, WAL left
        // behind, holds every event.
        const copy = join(file, '..', 'copy.db');
        copyFileSync(file, copy);
        const alone = new Database(copy, { readonly: true });
        try {
          expect((alone.prepare('SELECT COUNT(*) AS n FROM audit_events').get() as { n: number }).n).toBe(200);
        } finally {
          alone.close();
        }
      } finally {
        await store.close();
      }
    }));

  it('when the thread cannot start, the operator is warned and the store goes on storing', () =>
    withFile(async (file) => {
      const store = new SqliteStore(file, true);
      const warnings: string[] = [];
      try {
        // Without the require hook, the worker cannot load the TypeScript sources.
        await store.startBackgroundCheckpoints((m) => warnings.push(m), { intervalMs: NEVER, execArgv: [] });
        expect(warnings).toEqual([expect.stringMatching(/^WAL checkpoint thread unavailable \(.+\); checkpoints stay on the request thread$/)]);
        await addEvents(store, 50);
        expect((await store.queryAuditEvents({ action: 'objects.add', limit: 100 })).records).toHaveLength(50);
      } finally {
        await store.close();
      }
    }));

  it('regression: a process with nothing else to do does not end while it waits for the checkpoint thread to start', () =>
    withFile(async (file) => {
      // Only the await below keeps this child alive: a thread let go (unref) before it said
      // ready ended the process there, with status 0 and nothing printed.
      const script = `
        const { SqliteStore } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'store', 'sqlite', 'sqlite-store.ts'))});
        const store = new SqliteStore(${JSON.stringify(file)}, true);
        store.startBackgroundCheckpoints((m) => console.log('warning: ' + m), { intervalMs: ${NEVER}, execArgv: ${JSON.stringify(SWC)} })
          .then(() => { console.log('started'); return store.close(); });
      `;
      const out = execFileSync(process.execPath, [...SWC, '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(out.trim()).toBe('started');
    }));
});
