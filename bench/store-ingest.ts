// The SQLite store alone, in this process: writers append notes through Store.appendEvent with
// no HTTP in between. Writers that wait on the same event-loop turn share one commit (group
// commit), so 1 writer shows the cost of a commit per note and 100 writers show the batching.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.js';
import { startCpuMeter } from './cpu-meter.js';
import { tempHome } from './hub-process.js';
import { NOTE_TEXT } from './load.js';
import { ms, perSecond, summarize } from './stats.js';
import type { BenchResult, Row } from './table.js';

const VARIANTS: Array<{ sync: 'full' | 'normal'; writers: number }> = [
  { sync: 'full', writers: 1 },
  { sync: 'full', writers: 10 },
  { sync: 'full', writers: 100 },
  { sync: 'normal', writers: 100 },
];

export interface StoreIngestOptions {
  warmupSeconds: number;
  seconds: number;
}

export async function storeIngest(options: StoreIngestOptions): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes = [
    'Store rows: each note is appended with an idempotency record, as the REST route does; no HTTP, auth or JSON parsing.',
  ];
  for (const v of VARIANTS) {
    const path = `Store.appendEvent in-process, sync=${v.sync}, ${v.writers} writer${v.writers > 1 ? 's' : ''}`;
    process.stderr.write(`  ${path} ...\n`);
    const meter = startCpuMeter();
    const r = await runVariant(v.sync, v.writers, options);
    const others = meter.stop().others;
    if (others !== undefined && others > 0.25) {
      notes.push(
        `Warning: other processes kept ${Math.round(others * 100)}% of a core busy during "${path}"; its numbers are lower than on a quiet machine.`,
      );
    }
    const durable = v.sync === 'full';
    rows.push(
      {
        path,
        metric: 'committed notes',
        value: perSecond(r.rate),
        target: durable
          ? { text: '≥ 20,000/s (durable ingest)', met: r.rate >= 20_000 }
          : undefined,
      },
      { path, metric: 'ack latency p50', value: ms(r.latency.p50) },
      {
        path,
        metric: 'ack latency p99',
        value: ms(r.latency.p99),
        target: durable ? { text: '≤ 50 ms', met: r.latency.p99 <= 50 } : undefined,
      },
    );
  }
  return { rows, notes };
}

async function runVariant(sync: 'full' | 'normal', writers: number, options: StoreIngestOptions) {
  const dir = tempHome('huddle-bench-store-');
  const store = await openStore(`sqlite:${join(dir.path, 'huddle.db')}`, { sync });
  try {
    const now = Date.now();
    const member = { id: 'mem_bench', label: 'bench', scopes: ['admin' as const], created_at: now };
    const { room } = await store.createRoom({
      room: { id: 'room_bench', name: 'bench-store', created_at: now },
      member,
      token_digest: 'digest_bench',
      event: { id: randomUUID(), ts: now, actor: null, type: 'room.created', body: {} },
    });
    const actor = { member_id: member.id, label: member.label };

    const started = performance.now();
    const measureFrom = started + options.warmupSeconds * 1000;
    const measureTo = measureFrom + options.seconds * 1000;
    const latencies: number[] = [];
    let inWindow = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < measureTo) {
          const t0 = performance.now();
          await store.appendEvent(
            room.id,
            { id: randomUUID(), ts: Date.now(), actor, type: 'note', body: { text: NOTE_TEXT } },
            { member_id: member.id, key: randomUUID(), fingerprint: 'bench', at: Date.now() },
          );
          const t1 = performance.now();
          if (t1 >= measureFrom && t1 <= measureTo) inWindow++;
          if (t0 >= measureFrom) latencies.push(t1 - t0);
        }
      }),
    );
    return { rate: inWindow / options.seconds, latency: summarize(latencies) };
  } finally {
    await store.close();
    dir.remove();
  }
}
