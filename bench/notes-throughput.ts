// Durable ingest: concurrent writers, each a member with its own token, POST notes to one room of
// a real hub (`huddle serve` as a child process) for a fixed time; then the same load against a
// bare node:http server, the most one process can answer on this machine.

import { createHubClient } from '../src/client/hub-client.js';
import { startBareServer } from './bare-server.js';
import { formatShares } from './cpu-meter.js';
import { startHubProcess } from './hub-process.js';
import { driveLoad, type LoadResult } from './load.js';
import { ms, perSecond } from './stats.js';
import type { BenchResult, Row } from './table.js';

interface Variant {
  /** undefined: the bare node:http server instead of a hub. */
  sync: 'full' | 'normal' | undefined;
  writers: number;
}

const VARIANTS: Variant[] = [
  { sync: 'full', writers: 10 },
  { sync: 'normal', writers: 10 },
  { sync: 'full', writers: 100 },
  { sync: 'normal', writers: 100 },
  { sync: undefined, writers: 10 },
  { sync: undefined, writers: 100 },
];

const ROOM = 'bench-notes';

export interface ThroughputOptions {
  /** Seconds of load before measuring, then seconds measured. */
  warmupSeconds: number;
  seconds: number;
}

export async function notesThroughput(options: ThroughputOptions): Promise<BenchResult> {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const v of VARIANTS) {
    const path =
      v.sync === undefined
        ? `bare node:http server, ${v.writers} writers (reference)`
        : `REST POST note, sync=${v.sync}, ${v.writers} writers`;
    process.stderr.write(`  ${path} ...\n`);
    let outcome: { load: LoadResult; stored: number | undefined };
    try {
      outcome =
        v.sync === undefined ? await runBare(v, options) : await runHub(v.sync, v.writers, options);
    } catch (err) {
      // One broken variant should not cost the rest of the table.
      rows.push({ path, metric: 'FAILED', value: String((err as Error).message).split('\n')[0]! });
      continue;
    }
    const { load: r, stored } = outcome;
    const durable = v.sync === 'full';
    rows.push(
      {
        path,
        metric: v.sync === undefined ? 'answered requests' : 'committed notes',
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
      {
        path,
        metric: 'CPU: server / load gen / others',
        value: r.cpu ? formatShares(r.cpu) : 'n/a',
      },
    );
    if (r.errors > 0) {
      rows.push({ path, metric: 'failed requests', value: String(r.errors) });
      notes.push(`${path}: ${r.errors} requests failed; first: ${r.firstError}`);
    }
    const others = r.cpu?.others;
    if (others !== undefined && others > 0.25) {
      notes.push(
        `Warning: other processes kept ${Math.round(others * 100)}% of a core busy during "${path}"; its numbers are lower than on a quiet machine.`,
      );
    }
    if (stored === undefined) continue;
    notes.push(
      stored === r.acked
        ? `${path}: all ${r.acked.toLocaleString('en-US')} acknowledged notes are in the store; max ack ${ms(r.latency.max)}.`
        : `${path}: ${r.acked} notes acknowledged but ${stored} in the store.`,
    );
  }
  return { rows, notes };
}

/** A fresh hub and room, one member per writer (each joined with its own pair code), then load. */
async function runHub(
  sync: 'full' | 'normal',
  writers: number,
  options: ThroughputOptions,
): Promise<{ load: LoadResult; stored: number }> {
  const hub = await startHubProcess({ HUDDLE_SYNC: sync });
  try {
    const created = await createHubClient({ url: hub.url }).createRoom({
      name: ROOM,
      label: 'bench-admin',
    });
    const admin = createHubClient({ url: hub.url, token: created.token });
    const anonymous = createHubClient({ url: hub.url });
    const tokens: string[] = [];
    for (let i = 0; i < writers; i++) {
      const { code } = await admin.createCode(ROOM, { scopes: ['read', 'write'] });
      tokens.push((await anonymous.join({ code, label: `writer-${i}` })).token);
    }
    const before = (await admin.read(ROOM, 1)).room.last_seq;
    const load = await driveLoad({
      url: new URL(`/v1/rooms/${ROOM}/notes`, hub.url),
      tokens,
      serverPid: hub.child.pid,
      ...options,
    });
    const after = (await admin.read(ROOM, 1)).room.last_seq;
    return { load, stored: after - before };
  } finally {
    await hub.stop();
  }
}

async function runBare(
  v: Variant,
  options: ThroughputOptions,
): Promise<{ load: LoadResult; stored: undefined }> {
  const server = await startBareServer();
  try {
    const load = await driveLoad({
      url: new URL('/v1/rooms/bench/notes', server.url),
      tokens: Array.from({ length: v.writers }, (_, i) => `hd_bare_${i}`),
      serverPid: server.pid,
      ...options,
    });
    return { load, stored: undefined };
  } finally {
    await server.stop();
  }
}
