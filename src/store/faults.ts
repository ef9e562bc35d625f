/**
 * Storage faults: the database is full, locked by another writer past the busy timeout,
 * read-only, moved, or failing I/O. The request was not carried out and may succeed later,
 * so it is answered 503 with Retry-After, never 500. Recognised by the codes the drivers and
 * the OS give (strings and numbers only: nothing here imports a driver).
 */
import { StoreUnavailable } from '../errors';

/** SQLite result codes (extended codes share the prefix, e.g. SQLITE_READONLY_DBMOVED). */
const SQLITE_FAULT = /^SQLITE_(FULL|BUSY|LOCKED|READONLY|IOERR|CANTOPEN|PROTOCOL|NOMEM|NOLFS)(_|$)/;
const OS_FAULT = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EBUSY']);

/** The StoreUnavailable a storage fault stands for (its cause stays in the server's log, not the answer). */
export function storageFault(err: unknown): StoreUnavailable | undefined {
  if (err instanceof StoreUnavailable) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const fault = typeof code === 'string' && (SQLITE_FAULT.test(code) || OS_FAULT.has(code));
  return fault ? new StoreUnavailable('the storage cannot carry out the request now; try again later') : undefined;
}
