// Idle connections: 15,000 WebSockets, each authenticated at the upgrade and following a room,
// held open by 3 load-generator processes; the server's resident memory before and after, per
// connection, on the bare `ws` relay and on a hub; then, on the hub with all of them still open
// (and pinged by its heartbeat), the one-sender 1,000 msg/s row again, over 16 s so that at least
// one heartbeat sweep (every 15 s) falls inside it.

import { readFileSync } from 'node:fs';
import { prepareRooms, startTarget, type BenchTarget, type TargetKind } from './bench-target.js';
import { startLoadgen, type Loadgen } from './loadgen-run.js';
import { runScenario } from './scenario.js';
import type { BenchResult, Row } from './table.js';
import {
  deliveryRows,
  ONE_SENDER,
  ONE_SENDER_TARGETS,
  oneSenderTiming,
  type WritePathOptions,
} from './write-path.js';
import { ratio, runNotes } from './write-path-rows.js';

const PROCESSES = 3;
const TARGET_COUNT = 15_000;
const TARGET_KIB = 16;

/** Resident memory of `pid` in KiB (VmRSS), or NaN off Linux. */
function rssKiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** This process's limit on open files (each generator inherits it; so does the hub). */
function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Held {
  gens: Loadgen[];
  open: number;
  kibPerConnection: number;
  connectSeconds: number;
}

/** Opens `count` idle connections on `target` and measures its memory per connection. */
async function hold(target: BenchTarget, count: number): Promise<Held> {
  const rooms = await prepareRooms(target, 'idle', PROCESSES, []);
  await pause(1000); // let the set-up's garbage go before the baseline
  const before = rssKiB(target.pid);
  const t0 = performance.now();
  const gens = await Promise.all(
    rooms.map((room, i) =>
      startLoadgen({
        stream: target.stream,
        senders: [],
        receivers: [],
        pacing: { kind: 'closed', window: 1 },
        idempotency: false,
        padBytes: 0,
        connectConcurrency: 50,
        idle: {
          count: Math.floor(count / PROCESSES) + (i < count % PROCESSES ? 1 : 0),
          token: room.token,
          rooms: [room.name],
        },
      }),
    ),
  );
  const connectSeconds = (performance.now() - t0) / 1000;
  const open = gens.reduce((n, g) => n + g.idleOpen, 0);
  await pause(2000);
  const after = rssKiB(target.pid);
  return { gens, open, kibPerConnection: (after - before) / open, connectSeconds };
}

async function release(held: Held): Promise<number> {
  const outcomes = await Promise.all(held.gens.map((g) => g.stop()));
  return outcomes.reduce((n, o) => n + o.disconnects.length, 0);
}

export async function idleSockets(o: WritePathOptions): Promise<BenchResult> {
  const count = o.quick ? 2000 : TARGET_COUNT;
  const rows: Row[] = [];
  const notes: string[] = [];
  const limit = openFileLimit();
  if (limit < count + 1000)
    notes.push(
      `Idle sockets: the open-file limit is ${limit}, too low for a hub with ${count} connections; raise it (ulimit -n) before the run.`,
    );
  let floorKiB: number | undefined;
  for (const kind of ['relay', 'hub'] as TargetKind[]) {
    process.stderr.write(`  ${count} idle connections: ${kind} ...\n`);
    const target = await startTarget(kind, kind === 'hub' ? { HUDDLE_SYNC: 'full' } : {});
    try {
      const held = await hold(target, count);
      const path =
        kind === 'relay'
          ? `ws relay (floor): ${count.toLocaleString('en-US')} idle connections`
          : `${count.toLocaleString('en-US')} idle authenticated WebSockets, each following a room`;
      const judged = kind === 'hub';
      rows.push(
        {
          path,
          metric: 'connections open',
          value: `${held.open.toLocaleString('en-US')} (opened at ${Math.round(held.open / held.connectSeconds).toLocaleString('en-US')}/s)`,
          target: judged
            ? {
                text: `≥ ${TARGET_COUNT.toLocaleString('en-US')}`,
                // A quick run opens fewer: not a verdict either way.
                met: count < TARGET_COUNT ? undefined : held.open >= TARGET_COUNT,
              }
            : undefined,
        },
        {
          path,
          metric: 'server memory (RSS) per connection',
          value: `${held.kibPerConnection.toFixed(1)} KiB`,
          ratio: judged ? ratio(held.kibPerConnection, floorKiB) : undefined,
          target: judged
            ? { text: `≤ ${TARGET_KIB} KiB`, met: held.kibPerConnection <= TARGET_KIB }
            : undefined,
        },
      );
      if (kind === 'relay') floorKiB = held.kibPerConnection;
      if (kind === 'hub') {
        const timing = o.quick
          ? oneSenderTiming(true)
          : { ...oneSenderTiming(false), durationMs: 16_000 };
        const busy = `one sender, 1,000 msg/s, sync=full, ${count.toLocaleString('en-US')} idle connections open`;
        const run = await runScenario(target, ONE_SENDER, timing);
        rows.push(...deliveryRows(busy, run, undefined, ONE_SENDER_TARGETS));
        notes.push(...runNotes(busy, run));
      }
      const disconnects = await release(held);
      rows.push({
        path,
        metric: 'idle connections closed by the server',
        value: String(disconnects),
        target: judged ? { text: 'none', met: disconnects === 0 } : undefined,
      });
    } finally {
      await target.stop();
    }
  }
  notes.push(
    "Idle sockets: memory per connection is the growth of the server's resident set (VmRSS) from before the first connection to 2 s after the last, over the connections open.",
  );
  return { rows, notes };
}
