/**
 * `accord import`: streams a bundle file into a collection in batches, through the same
 * validation, scope and store path as TAXII Add Objects (Exchange.store). Each batch commits
 * with its `objects.add` event, which names the file and its SHA-256 so an auditor can tell
 * an import from a TAXII add and match it to the file that was loaded.
 */
import { holdsUnsafeNumber, markUnsafeNumbers, UNSAFE_NUMBER_REASON } from '../stix/json-numbers';
import { streamBundleObjects } from '../taxii/bundle-stream';
import { jsonDepth, MAX_OBJECT_NESTING } from '../taxii/json-depth';
import { UnparsableObject } from '../taxii/object-metadata';
import type { StatusDetail } from '../store/object-store';
import type { Clock } from '../time';
import type { Call, Exchange } from './exchange';

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

/** The file as the log names it: its name as given and the SHA-256 of its bytes (hex). */
export interface ImportSource {
  file: string;
  sha256: string;
}

/** Parses one streamed member; too deep or not JSON, it fails alone as TAXII's would. */
function parseMember(text: string): unknown {
  if (jsonDepth(text) > MAX_OBJECT_NESTING) return new UnparsableObject(`nested deeper than ${MAX_OBJECT_NESTING} levels`, true);
  try {
    const checked = markUnsafeNumbers(text);
    const value = JSON.parse(checked.text) as unknown;
    return holdsUnsafeNumber(value, checked.marker) ? new UnparsableObject(UNSAFE_NUMBER_REASON) : value;
  } catch (e) {
    return new UnparsableObject((e as Error).message);
  }
}

export async function importBundle(
  exchange: Exchange,
  call: Call,
  source: ImportSource,
  input: AsyncIterable<Buffer | string>,
  options: { clock: Clock; progress?: (line: string) => void },
): Promise<ImportResult> {
  const result: ImportResult = { stored: 0, duplicates: 0, failed: 0, failures: [] };
  const started = Date.now();
  let seen = 0;
  let batches = 0;
  let batch: string[] = [];
  const reported = new Map<string, ReportedFailure>();

  const flush = async () => {
    // The root's own content policy, as for TAXII Add Objects.
    const prepared = exchange.prepare(call, batch.map(parseMember), seen - batch.length);
    batches++;
    const status = await exchange.store(call, prepared, options.clock(), {
      import: { ...source, batch: batches, first_position: seen - batch.length },
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
    options.progress?.(
      `${seen} objects read, ${result.stored} stored, ${result.duplicates} already present, ${result.failed} failed (${Math.round(seen / Math.max(secs, 0.001))} objects/s)`,
    );
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
