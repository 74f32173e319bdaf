// Running the built `huddle` command as a person would, and collecting what it printed.

import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_PATH } from './hub.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** HUDDLE_HOME of the simulated machine. */
  home: string;
  /** The hub's URL (HUDDLE_URL). */
  url: string;
  input?: string;
  env?: Record<string, string>;
  /** The working directory (the test's own by default). */
  cwd?: string;
}

export function huddle(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      env: { ...process.env, HUDDLE_HOME: options.home, HUDDLE_URL: options.url, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    ended(child).then(resolve, reject);
    child.stdin.end(options.input ?? '');
  });
}

/** What a child process printed on the streams still open, and its exit code, once it closes. */
export function ended(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    if (!child.stdout?.destroyed) child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    if (!child.stderr?.destroyed) child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI and fails with its output when the exit code is not 0. */
export async function huddleOk(args: string[], options: CliOptions): Promise<CliResult> {
  const result = await huddle(args, options);
  if (result.code !== 0) {
    throw new Error(
      `huddle ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return result;
}
