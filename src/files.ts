/**
 * Files private by default: the database (RED content, password hashes, the token key), its
 * WAL and shared-memory files, exports of the sharing log and credential files are created
 * 0600, and the server warns at start about any that group or others can read.
 */
import { closeSync, constants, openSync, statSync } from 'node:fs';

export const PRIVATE_MODE = 0o600;

/**
 * Creates `path` empty and 0600 when it does not exist yet, so what is written into it later
 * (by SQLite, which gives its -wal and -shm files the database file's mode) is never exposed.
 */
export function createPrivate(path: string): void {
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, PRIVATE_MODE));
  } catch {
    // An existing file keeps its mode (the start-up warning reports it); any other error
    // surfaces, more clearly, when the caller opens the path.
  }
}

/** Those of `paths` that exist and that group or others may read or write. */
export function exposedFiles(paths: readonly string[]): string[] {
  return paths.filter((p) => {
    try {
      return (statSync(p).mode & 0o077) !== 0;
    } catch {
      return false;
    }
  });
}
