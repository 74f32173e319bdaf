// A slow disk: a hub whose every sync waits 50 ms first (the test hook HUDDLE_TEST_SYNC_DELAY_MS),
// 4 senders keeping 4 sends each in flight, and, from another load-generator process, open-loop
// reads of `/healthz` and of a page of the room's events (GET /v1/rooms/:room/events), which should
// not wait behind the writes (target: p99 ≤ 10 ms); first against the bare `ws` relay (no disk).
// A hub without the hook measures a normal disk; the write ack times show which it was.

import type { RunTiming } from './loadgen-run.js';
import { against, type Scenario } from './scenario.js';
import { ms, type Tail } from './stats.js';
import type { BenchResult, Row } from './table.js';
import { checkRows, ratio, runNotes } from './write-path-rows.js';

export interface SlowDiskOptions {
  quick: boolean;
}

const DELAY_MS = 50;
const READ_P99 = 10;

export async function slowDisk(o: SlowDiskOptions): Promise<BenchResult> {
  const scenario: Scenario = {
    prefix: 'slow',
    rooms: 1,
    sendersPerRoom: 4,
    receiversPerRoom: 1,
    bound: true,
    pacing: { kind: 'closed', window: 4 },
    senderProcesses: 1,
    receiverProcesses: 0,
    readers: (rooms, target) => ({
      base: target.url,
      token: rooms[0]!.token,
      paths: ['/healthz', `/v1/rooms/${rooms[0]!.name}/events?after=${rooms[0]!.cursor}&limit=50`],
      rate: 200,
    }),
  };
  const timing: RunTiming = o.quick
    ? { warmupMs: 500, durationMs: 2000, drainMs: 3000 }
    : { warmupMs: 1000, durationMs: 5000, drainMs: 5000 };
  process.stderr.write(`  writes with each sync delayed ${DELAY_MS} ms, reads beside them ...\n`);
  // The relay answers any GET at once and has no disk: reads beside its writes are the floor.
  const floor = await against('relay', scenario, timing);
  const run = await against('hub', scenario, timing, {
    HUDDLE_SYNC: 'full',
    HUDDLE_TEST_SYNC_DELAY_MS: String(DELAY_MS),
  });
  const path = `slow disk (each sync +${DELAY_MS} ms), 4 senders × 4 in flight, reads at 200/s`;
  const floorPath = 'ws relay (floor): 4 senders × 4 in flight, reads at 200/s';
  const rows: Row[] = [];
  for (const [p, r, f] of [
    [floorPath, floor, undefined],
    [path, run, floor],
  ] as const)
    for (const [name, t] of named(r.reads)) {
      const base = f && named(f.reads).get(name);
      rows.push(
        { path: p, metric: `${name} p50`, value: ms(t.p50), ratio: ratio(t.p50, base?.p50) },
        {
          path: p,
          metric: `${name} p99`,
          value: ms(t.p99),
          ratio: ratio(t.p99, base?.p99),
          target: f ? { text: `≤ ${ms(READ_P99)}`, met: t.p99 <= READ_P99 } : undefined,
        },
        { path: p, metric: `${name} max`, value: ms(t.max), ratio: ratio(t.max, base?.max) },
      );
    }
  rows.push(
    {
      path,
      metric: 'failed reads',
      value: String(run.readErrors),
      target: { text: 'none', met: run.readErrors === 0 },
    },
    {
      path,
      metric: 'write ack p50 / p99',
      value: `${ms(run.ack.p50)} / ${ms(run.ack.p99)}`,
    },
    ...checkRows(path, run),
  );
  const notes = runNotes(path, run);
  if (run.readErrors) notes.push(`${path}: first failed read: ${run.firstReadError}`);
  notes.push(
    run.ack.p50 >= DELAY_MS
      ? `Slow disk: writes waited (ack p50 ${ms(run.ack.p50)}), so the sync delay was in effect.`
      : `Slow disk: write ack p50 was ${ms(run.ack.p50)}, under the ${DELAY_MS} ms delay: this hub does not have the HUDDLE_TEST_SYNC_DELAY_MS hook, so the row measured a normal disk.`,
  );
  return { rows, notes };
}

/** Reads by route rather than by URL (the room's name and cursor differ between runs). */
function named(reads: Record<string, Tail>): Map<string, Tail> {
  return new Map(
    Object.entries(reads).map(([url, t]) => [
      url === '/healthz' ? 'GET /healthz' : 'GET /v1/rooms/:room/events',
      t,
    ]),
  );
}
