/**
 * Storage faults: the database is full, locked by another writer past the busy timeout,
 * read-only, moved, or failing I/O. The request was not carried out and may succeed later,
 * so it is answered 503 with Retry-After, never 500. Recognised by the codes the drivers and
 * the OS give (strings and numbers only: nothing here imports a driver).
 */
import { AccordError, storeUnavailable } from '../errors';

/** SQLite result codes (extended codes share the prefix, e.g. SQLITE_READONLY_DBMOVED). */
const SQLITE_FAULT = /^SQLITE_(FULL|BUSY|LOCKED|READONLY|IOERR|CANTOPEN|PROTOCOL|NOMEM|NOLFS)(_|$)/;
const OS_FAULT = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EBUSY']);

/**
 * The error of the catalogue `err` stands for: itself when it is one, `storage-unavailable`
 * for a storage fault (its cause stays in the server's log, not the answer), else undefined.
 */
export function storageFault(err: unknown): AccordError | undefined {
  if (err instanceof AccordError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const fault = typeof code === 'string' && (SQLITE_FAULT.test(code) || OS_FAULT.has(code));
  return fault ? storeUnavailable('the storage cannot carry out the request now; try again later') : undefined;
}
