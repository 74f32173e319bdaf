// Fan-out: one room, 1,000 followers spread over 4 load-generator processes, one sender in a
// fifth at 85 messages a second, so 85,000 deliveries a second are offered: the target (80,000,
// with delivery p99 ≤ 50 ms) plus a margin, so that a server that keeps up is not judged by where
// the window's edges fall. (At 100,000 offered, even the bare relay and the generators fill both
// cores of the 2-core machine and queue.) First against the bare `ws` relay, then a hub.

import type { RunTiming } from './loadgen-run.js';
import { against, type Scenario } from './scenario.js';
import type { BenchResult, Row } from './table.js';
import { checkRows, cpuRows, latencyRows, ratio, runNotes } from './write-path-rows.js';
import { perSecond } from './stats.js';

export interface FanoutOptions {
  quick: boolean;
}

const TARGET_RATE = 80_000;
const MESSAGES_PER_SECOND = 85;

export async function fanout(o: FanoutOptions): Promise<BenchResult> {
  const followers = 1000;
  const scenario: Scenario = {
    prefix: 'fanout',
    rooms: 1,
    sendersPerRoom: 1,
    receiversPerRoom: followers,
    // Plain followers, like cockpits: each sees every event, none records receipts.
    bound: false,
    pacing: { kind: 'open', rate: MESSAGES_PER_SECOND },
    senderProcesses: 1,
    receiverProcesses: 4,
  };
  const timing: RunTiming = o.quick
    ? { warmupMs: 500, durationMs: 2000, drainMs: 3000 }
    : { warmupMs: 1000, durationMs: 5000, drainMs: 5000 };
  process.stderr.write(`  1 room, ${followers} followers: relay, hub ...\n`);
  const floor = await against('relay', scenario, timing);
  const hub = await against('hub', scenario, timing, { HUDDLE_SYNC: 'full' });
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const [path, run, f] of [
    [`ws relay (floor): fan-out, 1 room, ${followers} followers`, floor, undefined],
    [
      `fan-out, 1 room, ${followers} followers, ${MESSAGES_PER_SECOND} msg/s, sync=full`,
      hub,
      floor,
    ],
  ] as const) {
    const judged = f !== undefined;
    rows.push(
      {
        path,
        metric: 'deliveries',
        value: perSecond(run.deliveredPerSecond),
        ratio: ratio(run.deliveredPerSecond, f?.deliveredPerSecond),
        target: judged
          ? { text: `≥ ${perSecond(TARGET_RATE)}`, met: run.deliveredPerSecond >= TARGET_RATE }
          : undefined,
      },
      ...latencyRows(path, run, f, judged ? { p99: 50 } : {}, 'delivery'),
      ...checkRows(path, run),
      ...cpuRows(path, run, f, {}).slice(1),
    );
    notes.push(...runNotes(path, run));
  }
  notes.push(
    `Fan-out: deliveries counted by time of receipt inside the measured window, over all ${followers} followers (unbound, so no receipts); ${perSecond(MESSAGES_PER_SECOND * followers)} offered.`,
  );
  return { rows, notes };
}
