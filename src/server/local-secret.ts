// The local secret: a file in HUDDLE_HOME, readable only by its user, that lets clients on this
// machine join rooms of the local hub without pairing.

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const LOCAL_SECRET_FILE = 'local.secret';

/** Reads the secret, creating it (mode 0600) on first use. */
export function ensureLocalSecret(home: string): string {
  const path = join(home, LOCAL_SECRET_FILE);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}
