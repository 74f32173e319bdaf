// The benchmark entry: `npm run bench` (or `node dist/bench/run.js [--only NAME] [--quick]`).
// Runs each benchmark in turn, then prints the machine and one table of results.

import { parseArgs } from 'node:util';
import { cliLatency } from './cli-latency.js';
import { coordination } from './coordination.js';
import { diskSync } from './disk-sync.js';
import { fanout } from './fanout.js';
import { fleet } from './fleet.js';
import { hooks } from './hooks.js';
import { idleSockets } from './idle-sockets.js';
import { describeMachine, renderMachine } from './machine.js';
import { mcpLatency } from './mcp-latency.js';
import { messageDelivery } from './message-delivery.js';
import { notesThroughput } from './notes-throughput.js';
import { storeIngest } from './store-ingest.js';
import { slowDisk } from './slow-disk.js';
import { renderTable, type BenchResult, type Row } from './table.js';
import { writePath } from './write-path.js';

interface Settings {
  quick: boolean;
}

/** Every benchmark by name, in the order they run. */
const BENCHMARKS: Record<string, (s: Settings) => Promise<BenchResult> | BenchResult> = {
  'disk-sync': (s) => diskSync({ runs: s.quick ? 100 : 500 }),
  'store-ingest': (s) =>
    storeIngest(s.quick ? { warmupSeconds: 0.25, seconds: 1 } : { warmupSeconds: 0.5, seconds: 3 }),
  'notes-throughput': (s) =>
    notesThroughput(
      s.quick ? { warmupSeconds: 0.5, seconds: 2 } : { warmupSeconds: 1, seconds: 6 },
    ),
  'message-delivery': (s) =>
    messageDelivery(
      s.quick
        ? { rate: 1000, rooms: 100, warmupSeconds: 0.5, seconds: 2 }
        : { rate: 1000, rooms: 100, warmupSeconds: 1, seconds: 6 },
    ),
  'write-path': (s) => writePath(s),
  fanout: (s) => fanout(s),
  'idle-sockets': (s) => idleSockets(s),
  'slow-disk': (s) => slowDisk(s),
  coordination: (s) =>
    coordination(
      s.quick
        ? { agents: 5, seconds: 2, heldLeases: 50, leaseRequests: 50 }
        : { agents: 10, seconds: 6, heldLeases: 500, leaseRequests: 300 },
    ),
  'mcp-latency': (s) => mcpLatency(s.quick ? { starts: 3, calls: 50 } : { starts: 10, calls: 200 }),
  'cli-latency': (s) => cliLatency({ runs: s.quick ? 10 : 30 }),
  hooks: (s) => hooks(s.quick ? { runs: 10, wakes: 5 } : { runs: 40, wakes: 30 }),
  fleet: (s) => fleet(s),
};

const USAGE = `Usage: node dist/bench/run.js [--only NAME] [--quick]
  --only NAME  run one benchmark: ${Object.keys(BENCHMARKS).join(', ')}
  --quick      shorter runs (a smoke test, not numbers to publish)`;

async function main(): Promise<number> {
  let values: { only?: string; quick?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { only: { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.only !== undefined && !(values.only in BENCHMARKS)) {
    process.stderr.write(`Unknown benchmark "${values.only}".\n${USAGE}\n`);
    return 2;
  }
  const names = values.only ? [values.only] : Object.keys(BENCHMARKS);
  const settings: Settings = { quick: values.quick === true };

  // Taken before the run so the load average shows other work, not this benchmark's.
  const machine = describeMachine();
  const rows: Row[] = [];
  const notes: string[] = [];
  const started = performance.now();
  for (const name of names) {
    process.stderr.write(`${name} ...\n`);
    const t0 = performance.now();
    try {
      const result = await BENCHMARKS[name]!(settings);
      rows.push(...result.rows);
      notes.push(...result.notes);
    } catch (err) {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      rows.push({
        path: name,
        metric: 'FAILED',
        value: String((err as Error).message).split('\n')[0]!,
      });
    }
    process.stderr.write(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    [
      '',
      renderMachine(machine),
      '',
      renderTable(rows),
      '',
      ...notes.map((n) => `- ${n}`),
      `- ${settings.quick ? 'Quick (shortened) run' : 'Full-length run'}: ${names.join(', ')} in ${seconds} s.`,
      '',
    ].join('\n'),
  );
  return rows.some((r) => r.metric === 'FAILED') ? 1 : 0;
}

process.exitCode = await main();
