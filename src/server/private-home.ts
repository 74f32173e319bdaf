// HUDDLE_HOME is this user's alone: it holds member tokens, the local secret, the hub's log and,
// by default, the database. At start the hub takes group and other access away from what has it.

import { chmodSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** huddle's own files in HUDDLE_HOME (the database files are the store's to check). */
const FILES = ['settings.json', 'config.json', 'local.secret', 'hub.log', 'hub.pid', 'hub.lock'];
/** huddle's own directories in HUDDLE_HOME: every file in them is huddle's too. */
const DIRECTORIES = ['run'];

export interface PrivateHomeResult {
  /** Paths whose mode was changed to 0600 (files) or 0700 (directories). */
  changed: string[];
  /** Paths that others can read and whose mode could not be changed (another owner). */
  failed: Array<{ path: string; error: string }>;
}

/**
 * Sets HUDDLE_HOME to 0700 and huddle's files in it to 0600 where they give group or other any
 * access. A missing HUDDLE_HOME is left to be created (0700) by whoever writes into it first;
 * symbolic links and files huddle does not write are left alone.
 */
export function makeHomePrivate(home: string): PrivateHomeResult {
  const result: PrivateHomeResult = { changed: [], failed: [] };
  const found = stat(home, statSync); // HUDDLE_HOME itself may be a link to the real directory
  if (!found?.isDirectory()) return result;
  restrict(home, found, 0o700, result);
  for (const name of FILES) {
    const path = join(home, name);
    const file = stat(path, lstatSync);
    if (file?.isFile()) restrict(path, file, 0o600, result);
  }
  for (const name of DIRECTORIES) {
    const dir = join(home, name);
    const entry = stat(dir, lstatSync);
    if (!entry?.isDirectory()) continue;
    restrict(dir, entry, 0o700, result);
    for (const child of readdirSync(dir)) {
      const path = join(dir, child);
      const file = stat(path, lstatSync);
      if (file?.isFile()) restrict(path, file, 0o600, result);
    }
  }
  return result;
}

function stat(path: string, how: (path: string) => Stats): Stats | undefined {
  try {
    return how(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function restrict(path: string, found: Stats, mode: number, result: PrivateHomeResult): void {
  if ((found.mode & 0o077) === 0) return;
  try {
    chmodSync(path, mode);
    result.changed.push(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') result.failed.push({ path, error: code ?? String(err) });
  }
}
