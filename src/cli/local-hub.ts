// The local hub: found at the default address, or started in the background on first use (only
// one, even when several agents start at once); and tokens from its local secret, without pairing.

import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHubClient } from '../client/hub-client.js';
import type { CliContext } from './context.js';
import { CliError } from './cli-error.js';
import { credentialFor, type StoredCredential } from './credentials.js';
import { defaultLabel } from './device-label.js';

const MAIN = fileURLToPath(new URL('./huddle.cjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/** Whether this context talks to the local hub by default (no --hub, HUDDLE_URL or file setting). */
export function usesLocalHub(ctx: CliContext): boolean {
  return ctx.loaded.sources.url === 'default';
}

async function healthy(url: string): Promise<boolean> {
  try {
    await createHubClient({ url, timeoutMs: 2000 }).health();
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure the local hub answers: starts `huddle serve` detached when none does, with its pid
 * and log in HUDDLE_HOME. A lock file makes concurrent callers start one hub between them.
 */
export async function ensureLocalHub(ctx: CliContext): Promise<void> {
  const { url, home } = ctx.config;
  if (await healthy(url)) return;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const lock = join(home, 'hub.lock');
  let fd: number | undefined;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A lock left by a starter that died long ago is taken over.
    if (Date.now() - statSync(lock).mtimeMs > START_TIMEOUT_MS) {
      rmSync(lock, { force: true });
      return ensureLocalHub(ctx);
    }
  }
  try {
    if (fd !== undefined) {
      const log = openSync(join(home, 'hub.log'), 'a', 0o600);
      const { spawn } = await import('node:child_process'); // only the starter needs it
      const child = spawn(process.execPath, [MAIN, 'serve'], {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...ctx.io.env, HUDDLE_HOME: home, HUDDLE_LOG_FORMAT: 'json' },
      });
      child.unref();
      closeSync(log);
      writeFileSync(join(home, 'hub.pid'), `${child.pid}\n`, { mode: 0o600 });
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await healthy(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new CliError(
      `The local hub did not start within ${START_TIMEOUT_MS / 1000} s; see ${join(home, 'hub.log')}.`,
    );
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

/**
 * This machine's credential for `room` on the configured hub: the stored one, or, on the local
 * hub, a new admin member from the local secret (the room is created when missing).
 */
export async function credentialForRoom(ctx: CliContext, room: string): Promise<StoredCredential> {
  const stored = ctx.credentials.get(ctx.config.url, room);
  if (stored) return stored;
  if (!usesLocalHub(ctx)) return ctx.forRoom(room).credential;
  let secret: string;
  try {
    secret = readFileSync(join(ctx.config.home, 'local.secret'), 'utf8').trim();
  } catch {
    throw new CliError(
      `No local secret in ${ctx.config.home}: is the local hub's HUDDLE_HOME the same as this one?`,
    );
  }
  const joined = await ctx.anonymous().localJoin({ secret, room, label: defaultLabel() });
  const credential = credentialFor(joined);
  ctx.credentials.put(ctx.config.url, room, credential);
  return credential;
}
