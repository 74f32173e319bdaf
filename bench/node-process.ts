// A node process timed from spawn to exit, as a hook or a CLI command runs, and the rows of the
// results table for such start-to-exit latencies (targets: p95 ≤ 150 ms, and a median at most 1.5×
// that of `node -e ''` timed in the same run).

import { spawn } from 'node:child_process';
import { ms, summarize } from './stats.js';
import type { Row } from './table.js';

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Spawn to exit, in ms. */
  elapsed: number;
  /** performance.now() at exit. */
  end: number;
}

/** Runs node with `args`; `input`, when given, is written to its stdin (else stdin is closed). */
export function runNode(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const end = performance.now();
      resolve({ code, stdout, stderr, elapsed: end - t0, end });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** A server child process that printed one JSON line once it listened. */
export interface ListeningProcess<T> {
  /** The line it printed. */
  ready: T;
  pid: number | undefined;
  /** SIGTERM (unless it already exited), then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts node with `args` and waits for the JSON line the server prints when it listens; `what`
 * names it in the error when it exits first.
 */
export function startListening<T>(args: string[], what: string): Promise<ListeningProcess<T>> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      resolve({
        ready: JSON.parse(out) as T,
        pid: child.pid,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('error', reject);
    exited.then(() => reject(new Error(`${what} exited before listening`)));
  });
}

/** p50 and p95 of start-to-exit samples (and the maximum with `max`); `target` marks the p95. */
export function processLatencyRows(
  path: string,
  samples: number[],
  options: { target: boolean; max?: boolean },
): Row[] {
  const s = summarize(samples);
  return [
    { path, metric: 'p50', value: ms(s.p50) },
    {
      path,
      metric: 'p95',
      value: ms(s.p95),
      target: options.target ? { text: '≤ 150 ms', met: s.p95 <= 150 } : undefined,
    },
    ...(options.max ? [{ path, metric: 'max', value: ms(s.max) }] : []),
  ];
}

/** The target of ARCHITECTURE.md section 8: a CLI command or hook at most 1.5× node's own start. */
export const START_RATIO_TARGET = 1.5;

/**
 * The median of `samples` over the median of `floor` (`node -e ''`, timed in turn with them), as a
 * row with the ≤ 1.5× target: a ratio holds where absolute times drift with the machine's load.
 */
export function startRatioRow(path: string, samples: number[], floor: number[]): Row {
  const ratio = summarize(samples).p50 / summarize(floor).p50;
  return {
    path,
    metric: 'p50 ÷ node p50',
    value: `${ratio.toFixed(2)}×`,
    target: { text: `≤ ${START_RATIO_TARGET}×`, met: ratio <= START_RATIO_TARGET },
  };
}
