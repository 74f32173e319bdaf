// CLI start to exit: `huddle write <room> <text>` against a running hub, as a hook or an agent
// would run it, next to `huddle --version` (the bare CLI) and `node -e ""` (node itself).

import { startCpuMeter } from './cpu-meter.js';
import { CLI_PATH, cleanEnv, startHubProcess, tempHome } from './hub-process.js';
import { processLatencyRows, runNode, startRatioRow } from './node-process.js';
import type { BenchResult, Row } from './table.js';

const ROOM = 'bench-cli';

export interface CliLatencyOptions {
  /** Timed runs of each command (one more, untimed, runs first). */
  runs: number;
}

interface Command {
  path: string;
  args: (i: number) => string[];
  env: NodeJS.ProcessEnv;
  target: boolean;
}

/** Spawns node with `args` and measures from spawn to the exit event; fails unless it exits 0. */
async function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const r = await runNode(args, env);
  if (r.code !== 0)
    throw new Error(`node ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.elapsed;
}

export async function cliLatency(options: CliLatencyOptions): Promise<BenchResult> {
  const hub = await startHubProcess();
  const home = tempHome('huddle-bench-cli-');
  try {
    // NODE_EXTRA_CA_CERTS makes every node process parse a certificate bundle at start-up; it is
    // set on some machines (CI sandboxes) but not usually, so the main rows run without it.
    const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
    const env = cleanEnv({ HUDDLE_HOME: home.path, HUDDLE_URL: hub.url });
    delete env.NODE_EXTRA_CA_CERTS;
    await timeProcess([CLI_PATH, 'create', ROOM], env);

    const write = (i: number) => [
      CLI_PATH,
      'write',
      ROOM,
      `CLI latency run ${i}: tests pass, moving on to the docs.`,
    ];
    const commands: Command[] = [
      { path: 'huddle write <room> <text>, start to exit', args: write, env, target: true },
      {
        path: 'huddle --version, start to exit',
        args: () => [CLI_PATH, '--version'],
        env,
        target: true,
      },
      {
        path: 'node -e "" (node itself, for reference)',
        args: () => ['-e', ''],
        env,
        target: false,
      },
    ];
    if (extraCerts) {
      commands.push({
        path: "huddle write, with this machine's NODE_EXTRA_CA_CERTS",
        args: write,
        env: { ...env, NODE_EXTRA_CA_CERTS: extraCerts },
        target: false,
      });
    }

    // Round-robin, so load from other processes falls on every command alike.
    const samples = commands.map(() => [] as number[]);
    const meter = startCpuMeter(hub.child.pid);
    for (let i = -1; i < options.runs; i++) {
      for (const [k, c] of commands.entries()) {
        const elapsed = await timeProcess(c.args(i), c.env);
        if (i >= 0) samples[k]!.push(elapsed);
      }
    }
    const others = meter.stop().others;

    const floor = samples[commands.findIndex((c) => c.args(0)[0] === '-e')]!;
    const rows: Row[] = commands.flatMap((c, k) => [
      ...processLatencyRows(c.path, samples[k]!, { target: c.target, max: true }),
      ...(c.target ? [startRatioRow(c.path, samples[k]!, floor)] : []),
    ]);
    const notes = [
      `CLI: ${options.runs} timed runs of each command, taking turns, after one untimed round; the hub synced every write (sync=full).`,
    ];
    if (others !== undefined && others > 0.25) {
      notes.push(
        `Warning: other processes kept ${Math.round(others * 100)}% of a core busy during the CLI runs; the times are longer than on a quiet machine.`,
      );
    }
    return { rows, notes };
  } finally {
    home.remove();
    await hub.stop();
  }
}
