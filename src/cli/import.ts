/**
 * `accord import`: streams a bundle file into a collection in batches, through the same
 * validation, preparation and store path as TAXII Add Objects, reporting progress as it goes.
 */
import { randomUUID } from 'node:crypto';
import type { CollectionRecord } from '../catalog/types';
import type { StatusDetail } from '../store/object-store';
import type { Store } from '../store/store';
import { streamBundleObjects } from '../taxii/bundle-stream';
import { prepareObjects, UnparsableObject, validatorFor } from '../taxii/object-metadata';
import type { Clock } from '../time';

const BATCH = 1000;
/** Distinct failures kept for the report (every failure is counted in `failed`). */
const MAX_REPORTED_FAILURES = 1000;

/** One failure, and how many times the same object failed the same way (archives joining releases repeat objects). */
export interface ReportedFailure {
  detail: StatusDetail;
  count: number;
}

export interface ImportResult {
  stored: number;
  duplicates: number;
  failed: number;
  failures: ReportedFailure[];
}

/** The same object failing for the same reason, whatever version of it: one entry. */
function failureKey(f: StatusDetail): string {
  const message = f.message ?? '';
  return `${f.id}\n${f.version === undefined ? message : message.split(f.version).join('')}`;
}

export async function importBundle(
  store: Store,
  clock: Clock,
  collection: CollectionRecord,
  input: AsyncIterable<Buffer | string>,
  maxObjectSize: number,
  progress?: (line: string) => void,
): Promise<ImportResult> {
  const root = await store.getApiRoot(collection.apiRoot);
  if (!root) throw new Error(`collection ${collection.id} names a missing API root "${collection.apiRoot}"`);
  // The root's own content policy, as for TAXII Add Objects.
  const options = { validator: validatorFor(root), maxObjectSize };
  const result: ImportResult = { stored: 0, duplicates: 0, failed: 0, failures: [] };
  const started = Date.now();
  let seen = 0;
  let batch: string[] = [];
  const reported = new Map<string, ReportedFailure>();

  const flush = async () => {
    const values = batch.map((text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        return new UnparsableObject((e as Error).message);
      }
    });
    const { objects, failures } = prepareObjects(values, { ...options, firstPosition: seen - batch.length });
    const status = await store.addObjects({
      statusId: randomUUID(),
      apiRoot: collection.apiRoot,
      collectionId: collection.id,
      accountId: 'cli:import',
      requestTimestamp: clock(),
      now: clock(),
      objects,
      failures,
    });
    for (const s of status.successes) {
      if (s.message === 'already stored') result.duplicates++;
      else result.stored++;
    }
    result.failed += status.failureCount;
    for (const f of status.failures) {
      const key = failureKey(f);
      const known = reported.get(key);
      if (known) known.count++;
      else if (reported.size < MAX_REPORTED_FAILURES) reported.set(key, { detail: f, count: 1 });
    }
    batch = [];
    const secs = (Date.now() - started) / 1000;
    // Every object read is stored, already present or failed, so the figures add up mid-run.
    progress?.(`${seen} objects read, ${result.stored} stored, ${result.duplicates} already present, ${result.failed} failed (${Math.round(seen / Math.max(secs, 0.001))} objects/s)`);
  };

  for await (const text of streamBundleObjects(input)) {
    batch.push(text);
    seen++;
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  result.failures = [...reported.values()];
  return result;
}
