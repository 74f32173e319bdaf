// Starting real hubs for tests: in this process on port 0, or as a `huddle serve` child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_RATE_LIMITS, type Config } from '../../src/config/schema.js';
import type { Clock } from '../../src/core/clock.js';
import { startHub, type RunningHub } from '../../src/server/listen.js';
import { silentLogger } from '../../src/server/logger.js';
import { tempDir } from './temp-dir.js';

export const CLI_PATH = fileURLToPath(new URL('../../src/cli/huddle.cjs', import.meta.url));

/** Generous limits so tests that are not about rate limiting never meet one. */
export const RELAXED_LIMITS = JSON.stringify(
  Object.fromEntries(
    Object.keys(DEFAULT_RATE_LIMITS).map((name) => [
      name,
      { burst: 1_000_000, refill: 1_000_000, period_seconds: 1 },
    ]),
  ),
);

export interface TestHub extends RunningHub {
  home: string;
  config: Config;
  /** Closes the hub and removes its directory. */
  stop(): Promise<void>;
}

/** A hub in this process, on 127.0.0.1 and a free port, with its own temporary HUDDLE_HOME. */
export async function startTestHub(
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<TestHub> {
  const dir = tempDir();
  const { config } = loadConfig({
    env: { HUDDLE_HOME: dir.path, HUDDLE_PORT: '0', HUDDLE_RATE_LIMITS: RELAXED_LIMITS, ...env },
    homedir: dir.path,
  });
  const hub = await startHub(config, silentLogger, clock);
  return {
    ...hub,
    home: dir.path,
    config,
    async stop() {
      await hub.close();
      dir.remove();
    },
  };
}

export interface ChildHub {
  url: string;
  child: ChildProcess;
  /** Everything the hub wrote to stderr (its logs). */
  logs(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `huddle serve --port 0 --json` as a child process and waits for its URL. */
export function spawnHub(home: string, env: Record<string, string> = {}): Promise<ChildHub> {
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0', '--json'], {
    env: {
      ...process.env,
      HUDDLE_HOME: home,
      HUDDLE_LOG_FORMAT: 'json',
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      try {
        const { url } = JSON.parse(out) as { url: string };
        child.stdout!.off('data', onData);
        resolve({
          url,
          child,
          logs: () => err,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      } catch {
        // not the whole JSON object yet
      }
    };
    child.stdout!.on('data', onData);
    exited.then((code) =>
      reject(new Error(`huddle serve exited with ${code} before listening:\n${err}`)),
    );
  });
}
