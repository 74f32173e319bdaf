// The write path against its targets (ARCHITECTURE.md section 8), each scenario run first against
// the bare `ws` relay (the floor) and then against a hub, with the same load generator in separate
// processes: one sender at 1,000 msg/s; 1,000 msg/s over 100 rooms with sync=full and normal;
// sustained durable ingest from 100 senders, with the hub's CPU per delivered message.

import type { RunOutcome, RunTiming } from './loadgen-run.js';
import { against, type Scenario } from './scenario.js';
import type { BenchResult, Row } from './table.js';
import {
  ackRows,
  checkRows,
  cpuRows,
  latencyRows,
  rateRows,
  runNotes,
  type Targets,
} from './write-path-rows.js';

export interface WritePathOptions {
  quick: boolean;
}

export const ONE_SENDER: Scenario = {
  prefix: 'one-sender',
  rooms: 1,
  sendersPerRoom: 1,
  receiversPerRoom: 1,
  bound: true,
  pacing: { kind: 'open', rate: 1000 },
  senderProcesses: 1,
  receiverProcesses: 0,
};

const HUNDRED_ROOMS: Scenario = {
  prefix: 'rooms',
  rooms: 100,
  sendersPerRoom: 1,
  receiversPerRoom: 1,
  bound: true,
  pacing: { kind: 'open', rate: 1000 },
  senderProcesses: 1,
  receiverProcesses: 0,
};

/** 100 senders in 10 rooms, each keeping 4 sends unanswered; receivers in a second process. */
const INGEST: Scenario = {
  prefix: 'ingest',
  rooms: 10,
  sendersPerRoom: 10,
  receiversPerRoom: 1,
  bound: true,
  pacing: { kind: 'closed', window: 4 },
  senderProcesses: 1,
  receiverProcesses: 1,
};

export const ONE_SENDER_TARGETS: Targets = { p50: 0.5, p99: 5 };

/** The rows of an open-loop delivery run, with the checks, acks and CPU. */
export function deliveryRows(
  path: string,
  run: RunOutcome,
  floor: RunOutcome | undefined,
  t: Targets,
): Row[] {
  return [
    ...latencyRows(path, run, floor, t),
    ...checkRows(path, run),
    ...ackRows(path, run, floor, {}),
    ...cpuRows(path, run, floor, {}),
  ];
}

export function oneSenderTiming(quick: boolean): RunTiming {
  return quick
    ? { warmupMs: 500, durationMs: 2000, drainMs: 3000 }
    : { warmupMs: 1000, durationMs: 10_000, drainMs: 5000 };
}

export async function writePath(o: WritePathOptions): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const short: RunTiming = o.quick
    ? { warmupMs: 500, durationMs: 2000, drainMs: 3000 }
    : { warmupMs: 1000, durationMs: 5000, drainMs: 5000 };
  const add = (path: string, run: RunOutcome, floor: RunOutcome | undefined, t: Targets) => {
    rows.push(...deliveryRows(path, run, floor, t));
    notes.push(...runNotes(path, run));
  };

  process.stderr.write('  one sender, 1,000 msg/s: relay, hub ...\n');
  const oneFloor = await against('relay', ONE_SENDER, oneSenderTiming(o.quick));
  add('ws relay (floor): one sender, 1,000 msg/s', oneFloor, undefined, {});
  const one = await against('hub', ONE_SENDER, oneSenderTiming(o.quick), { HUDDLE_SYNC: 'full' });
  add('one sender, 1,000 msg/s, sync=full', one, oneFloor, ONE_SENDER_TARGETS);

  process.stderr.write('  1,000 msg/s over 100 rooms: relay, hub full, hub normal ...\n');
  const roomsFloor = await against('relay', HUNDRED_ROOMS, short);
  add('ws relay (floor): 1,000 msg/s over 100 rooms', roomsFloor, undefined, {});
  const full = await against('hub', HUNDRED_ROOMS, short, { HUDDLE_SYNC: 'full' });
  add('1,000 msg/s over 100 rooms, sync=full', full, roomsFloor, { p50: 0.5, p99: 5, p999: 15 });
  const normal = await against('hub', HUNDRED_ROOMS, short, { HUDDLE_SYNC: 'normal' });
  add('1,000 msg/s over 100 rooms, sync=normal', normal, roomsFloor, { p50: 0.3, p99: 3 });

  process.stderr.write('  sustained ingest, 100 senders: relay, hub ...\n');
  const ingestFloor = await against('relay', INGEST, short);
  const ingest = await against('hub', INGEST, short, { HUDDLE_SYNC: 'full' });
  for (const [path, run, floor, t] of [
    ['ws relay (floor): 100 senders, 4 in flight each', ingestFloor, undefined, {}],
    [
      'durable ingest, 100 senders over 10 rooms, 4 in flight each, sync=full',
      ingest,
      ingestFloor,
      { rate: 20_000, ackP99: 50, cpuMs: 0.05, cpuRatio: 2 },
    ],
  ] as const) {
    rows.push(
      ...rateRows(path, run, floor, t),
      ...ackRows(path, run, floor, t),
      ...checkRows(path, run),
      ...cpuRows(path, run, floor, t),
    );
    notes.push(...runNotes(path, run));
  }
  notes.push(
    'Write path: senders send `send` frames over their own WebSocket without waiting for `sent` (open loop: latency from the scheduled send time, written into the body); receivers follow the room over another WebSocket, bound to agent "receiver"; all of it in load-generator processes of their own. "÷ relay" is the value over the same measure of the bare `ws` relay in the same run.',
  );
  return { rows, notes };
}
