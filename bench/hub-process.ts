// A real hub for benchmarks: `huddle serve` as a child process on port 0, in its own temporary
// HUDDLE_HOME, with rate limits relaxed so they never shape the numbers.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RATE_LIMITS } from '../src/config/schema.js';

/** The built `huddle` command (dist/src/cli/huddle.cjs). */
export const CLI_PATH = fileURLToPath(new URL('../src/cli/huddle.cjs', import.meta.url));

/** Every rate limit of the hub, relaxed so that none shapes the numbers (as the tests do). */
export const RELAXED_LIMITS = JSON.stringify(
  Object.fromEntries(
    Object.keys(DEFAULT_RATE_LIMITS).map((name) => [
      name,
      { burst: 1_000_000, refill: 1_000_000, period_seconds: 1 },
    ]),
  ),
);

/** This process's environment without any HUDDLE_* setting, so the caller's own hub never leaks in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HUDDLE_')) env[k] = v;
  return { ...env, ...extra };
}

/** A fresh temporary directory and a function that removes it. */
export function tempHome(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface HubProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, waits for the clean shutdown, then removes the hub's directory. */
  stop(): Promise<void>;
}

/** Starts `huddle serve --port 0 --json` and resolves once it printed its URL. */
export async function startHubProcess(env: Record<string, string> = {}): Promise<HubProcess> {
  const home = tempHome('huddle-bench-');
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0', '--json'], {
    env: cleanEnv({
      HUDDLE_HOME: home.path,
      HUDDLE_LOG_LEVEL: 'warn',
      HUDDLE_LOG_FORMAT: 'json',
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      // A hub that dies mid-run would otherwise surface only as refused connections.
      if (!stopping)
        process.stderr.write(`huddle serve exited on its own (${signal ?? `code ${code}`})\n`);
      resolve();
    }),
  );

  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let printed: { url?: unknown; error?: { message?: string } };
      try {
        printed = JSON.parse(out) as typeof printed;
      } catch {
        return; // not the whole JSON object yet
      }
      if (typeof printed.url === 'string') resolve(printed.url);
      else reject(new Error(`huddle serve did not start: ${printed.error?.message ?? out}`));
    });
    child.once('error', reject);
    exited.then(() => {
      home.remove();
      reject(new Error(`huddle serve exited before listening:\n${stderr}`));
    });
  });

  return {
    url,
    child,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (stderr.trim()) process.stderr.write(`hub logs:\n${stderr}`);
      home.remove();
    },
  };
}
