// The local hub: found at the default address, waited for while it starts, or started in the
// background on first use (only one, even when several agents start at once); and tokens from its
// local secret, without pairing.

import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHubClient } from '../client/hub-client.js';
import type { CliContext } from './context.js';
import { CliError } from './cli-error.js';
import { credentialFor, type StoredCredential } from './credentials.js';
import { defaultLabel } from './device-label.js';
import { hubPidSince, liveHubPid } from './hub-pid.js';

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
 * Makes sure the local hub answers: waits for one that is starting (its pid file names a live
 * hub), or starts `huddle serve` detached, logging to HUDDLE_HOME/hub.log. A lock file makes
 * concurrent callers start one hub between them.
 */
export async function ensureLocalHub(ctx: CliContext): Promise<void> {
  const { url, home } = ctx.config;
  if (await healthy(url)) return;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if ((await liveHubPid(home)) !== null) return waitForHub(ctx);
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
    // Another starter may have finished, or a `huddle serve` begun, since the first look.
    if (fd === undefined || (await liveHubPid(home)) !== null || (await healthy(url)))
      return await waitForHub(ctx);
    const log = openSync(join(home, 'hub.log'), 'a', 0o600);
    const { spawn } = await import('node:child_process'); // only the starter needs it
    const child = spawn(process.execPath, [MAIN, 'serve'], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...ctx.io.env, HUDDLE_HOME: home, HUDDLE_LOG_FORMAT: 'json' },
    });
    child.unref();
    closeSync(log);
    await waitForHub(ctx, child);
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

/**
 * Waits until the local hub answers. Gives up early when the hub it waits for (the child it
 * started, or the one the pid file named) has exited and no other live hub holds the pid file.
 */
async function waitForHub(ctx: CliContext, child?: ChildProcess): Promise<void> {
  const { url, home } = ctx.config;
  const deadline = Date.now() + START_TIMEOUT_MS;
  let seen: number | null = null;
  while (Date.now() < deadline) {
    if (await healthy(url)) return;
    const live = await liveHubPid(home);
    if (live !== null) {
      seen = live;
      // A hub that began longer ago than a start takes is not starting: it answers elsewhere.
      if (Date.now() - (hubPidSince(home) ?? Date.now()) > START_TIMEOUT_MS) {
        throw new CliError(
          `The local hub of ${home} (pid ${live}) runs but does not answer at ${url}: does it listen on another port? "huddle status" shows it, "huddle stop" stops it.`,
        );
      }
    } else if (child ? child.exitCode !== null || child.signalCode !== null : seen !== null) {
      throw new CliError(
        `The local hub stopped while starting${lastLine(join(home, 'hub.log'))}; see ${join(home, 'hub.log')}.`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(
    `The local hub did not start within ${START_TIMEOUT_MS / 1000} s; see ${join(home, 'hub.log')}.`,
  );
}

/** The last line of a log, as ": <line>", or nothing. */
function lastLine(path: string): string {
  try {
    const line = readFileSync(path, 'utf8').trimEnd().split('\n').at(-1)?.trim();
    return line ? `: ${line.replace(/^huddle: /, '')}` : '';
  } catch {
    return '';
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
  const secret = readLocalSecret(ctx.config.home);
  if (secret === undefined) {
    throw new CliError(
      `No local secret in ${ctx.config.home}: is the local hub's HUDDLE_HOME the same as this one?`,
    );
  }
  const joined = await ctx.anonymous().localJoin({ secret, room, label: defaultLabel() });
  const credential = credentialFor(joined);
  ctx.credentials.put(ctx.config.url, room, credential);
  return credential;
}

/** The local hub's secret, from HUDDLE_HOME (the hub writes it at start); undefined when missing. */
export function readLocalSecret(home: string): string | undefined {
  try {
    return readFileSync(join(home, 'local.secret'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
