// Several hubs on PostgreSQL: cross-hub send→deliver at 2,000 msg/s (senders on hub A, receivers
// on hub B; target p99 ≤ 20 ms), and the aggregate durable write rate with one hub and with two,
// each beside the bare `ws` relay under the same load.

import { pgUnavailable } from './pg-schema.js';
import type { RunOutcome, RunTiming } from './loadgen-run.js';
import { against, type Scenario } from './scenario.js';
import type { BenchResult, Row } from './table.js';
import { ackRows, checkRows, cpuRows, rateRows, runNotes } from './write-path-rows.js';
import { deliveryRows } from './write-path.js';

export interface FleetOptions {
  quick: boolean;
}

/** Over 20 rooms, one sender each; the receivers in a process of their own. */
const CROSS_HUB: Scenario = {
  prefix: 'fleet',
  rooms: 20,
  sendersPerRoom: 1,
  receiversPerRoom: 1,
  bound: true,
  pacing: { kind: 'open', rate: 2000 },
  senderProcesses: 2,
  receiverProcesses: 1,
};

/** 100 senders over 10 rooms, 4 sends in flight each, in two processes (one per hub in a fleet). */
const INGEST: Scenario = {
  prefix: 'fleet-ingest',
  rooms: 10,
  sendersPerRoom: 10,
  receiversPerRoom: 1,
  bound: true,
  pacing: { kind: 'closed', window: 4 },
  senderProcesses: 2,
  receiverProcesses: 1,
};

export async function fleet(o: FleetOptions): Promise<BenchResult> {
  const unavailable = await pgUnavailable();
  if (unavailable) return { rows: [], notes: [`Fleet rows skipped: ${unavailable}.`] };
  const rows: Row[] = [];
  const notes: string[] = [];
  const timing: RunTiming = o.quick
    ? { warmupMs: 500, durationMs: 2000, drainMs: 3000 }
    : { warmupMs: 1000, durationMs: 6000, drainMs: 5000 };

  // The target rate, and a quarter of it: where this machine's limit lies shows between them.
  for (const rate of [500, 2000]) {
    const label = rate.toLocaleString('en-US');
    process.stderr.write(`  cross-hub, ${label} msg/s: relay, two hubs on PostgreSQL ...\n`);
    const scenario: Scenario = { ...CROSS_HUB, pacing: { kind: 'open', rate } };
    const floor = await against('relay', scenario, timing);
    rows.push(
      ...deliveryRows(`ws relay (floor): ${label} msg/s over 20 rooms`, floor, undefined, {}),
    );
    const cross = await against('fleet', scenario, timing, { HUDDLE_BENCH_HUBS: '2' });
    const path = `two hubs on PostgreSQL: sent through A, delivered through B, ${label} msg/s`;
    rows.push(...deliveryRows(path, cross, floor, rate === 2000 ? { p99: 20 } : {}));
    notes.push(...runNotes(path, cross));
  }

  process.stderr.write('  durable ingest on PostgreSQL: relay, one hub, two hubs ...\n');
  const ingestFloor = await against('relay', INGEST, timing);
  const one = await against('fleet', INGEST, timing, { HUDDLE_BENCH_HUBS: '1' });
  const two = await against('fleet', INGEST, timing, { HUDDLE_BENCH_HUBS: '2' });
  const ingestRows = (path: string, run: RunOutcome, f: RunOutcome | undefined) => {
    rows.push(
      ...rateRows(path, run, f, {}),
      ...ackRows(path, run, f, {}),
      ...checkRows(path, run),
      ...cpuRows(path, run, f, {}),
    );
    notes.push(...runNotes(path, run));
  };
  ingestRows('ws relay (floor): 100 senders, 4 in flight each', ingestFloor, undefined);
  ingestRows('durable ingest, one hub on PostgreSQL', one, ingestFloor);
  ingestRows('durable ingest, two hubs on PostgreSQL (senders on both)', two, ingestFloor);
  notes.push(
    "Fleet: hubs are `huddle serve` processes on one PostgreSQL database (a fresh schema each run), on this same machine as the database and the load generators; CPU is hub A's alone. Cross-hub latency is from the scheduled send time on hub A to delivery by hub B.",
  );
  return { rows, notes };
}
