// The database's files on disk are this user's alone: they hold every note, message and share.

import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** The database file and the files SQLite keeps beside it. */
const SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Creates the database file with mode 0600 (and its missing directories with 0700) before SQLite
 * opens it: SQLite gives its -wal and -shm files the database file's mode. Existing files that
 * others may read are set to 0600. Returns the paths whose mode changed; directories that already
 * exist are left as they are.
 */
export function makeDatabaseFilesPrivate(path: string): string[] {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  const changed: string[] = [];
  for (const suffix of SUFFIXES) {
    const file = path + suffix;
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if ((mode & 0o077) === 0) continue;
    chmodSync(file, 0o600);
    changed.push(file);
  }
  return changed;
}
