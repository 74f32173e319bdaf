// What a write-path scenario runs against: a real hub (`huddle serve` as a child process) or the
// bare `ws` relay (bench/relay-server.js, also a child process), with the rooms and agents the
// scenario needs, so the same load-generator config drives both.

import { fileURLToPath } from 'node:url';
import { createHubClient } from '../src/client/hub-client.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { startListening } from './node-process.js';

export type TargetKind = 'hub' | 'relay' | 'fleet';

export interface BenchTarget {
  kind: TargetKind;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/v1/stream */
  stream: string;
  pid: number | undefined;
  /**
   * Several hubs (a fleet): the stream URL each sender process and each receiver process uses in
   * turn. Without it, every process uses `stream`.
   */
  streams?: { senders: string[]; receivers: string[] };
  stop(): Promise<void>;
}

/** A room ready for load: its token (an admin member's, owning every agent) and its last seq. */
export interface BenchRoom {
  name: string;
  token: string;
  cursor: number;
}

const RELAY_PATH = fileURLToPath(new URL('./relay-server.js', import.meta.url));

/** A hub with `env` (HUDDLE_SYNC, ...), or the relay, which takes no settings. */
export async function startTarget(
  kind: TargetKind,
  env: Record<string, string> = {},
): Promise<BenchTarget> {
  if (kind === 'hub') {
    const hub = await startHubProcess({ HUDDLE_DUPLICATE_WINDOW_SECONDS: '0', ...env });
    return {
      kind,
      url: hub.url,
      stream: `${hub.url.replace(/^http/, 'ws')}/v1/stream`,
      pid: hub.child.pid,
      stop: () => hub.stop(),
    };
  }
  if (kind === 'fleet') return startFleet(env);
  return startRelay();
}

/**
 * Hubs on one PostgreSQL database (a fresh schema, dropped at stop), as many as
 * `env.HUDDLE_BENCH_HUBS` says (default 2): sender processes take the hubs in turn, receivers
 * follow through the last one, so with two hubs every delivery crosses from one to the other.
 */
async function startFleet(env: Record<string, string>): Promise<BenchTarget> {
  const { HUDDLE_BENCH_HUBS: count = '2', ...hubEnv } = env;
  const { schemaName, dropSchema } = await import('./pg-schema.js');
  const schema = schemaName();
  const store = `${PG_URL}?schema=${schema}`;
  const hubs: HubProcess[] = [];
  // One after the other: the first creates the schema.
  for (let i = 0; i < Number(count); i++)
    hubs.push(
      await startHubProcess({
        HUDDLE_DUPLICATE_WINDOW_SECONDS: '0',
        ...hubEnv,
        HUDDLE_STORE: store,
      }),
    );
  const ws = (url: string) => `${url.replace(/^http/, 'ws')}/v1/stream`;
  return {
    kind: 'fleet',
    url: hubs[0]!.url,
    stream: ws(hubs[0]!.url),
    streams: { senders: hubs.map((h) => ws(h.url)), receivers: [ws(hubs.at(-1)!.url)] },
    pid: hubs[0]!.child.pid,
    async stop() {
      await Promise.all(hubs.map((h) => h.stop()));
      await dropSchema(schema);
    },
  };
}

/** The PostgreSQL database the fleet rows use. */
export const PG_URL = process.env.HUDDLE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

async function startRelay(): Promise<BenchTarget> {
  const relay = await startListening<{ url: string }>([RELAY_PATH], 'the ws relay');
  const { url } = relay.ready;
  return {
    kind: 'relay',
    url,
    stream: `${url.replace(/^http/, 'ws')}/v1/stream`,
    pid: relay.pid,
    stop: () => relay.stop(),
  };
}

/**
 * `count` rooms named `<prefix>-<i>`, each with the agents `agents` (senders and receivers) of
 * its creator. On the relay, names and a placeholder token: it checks neither.
 */
export async function prepareRooms(
  target: BenchTarget,
  prefix: string,
  count: number,
  agents: readonly string[],
): Promise<BenchRoom[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  if (target.kind === 'relay')
    return names.map((name) => ({ name, token: `hd_${'r'.repeat(43)}`, cursor: 0 }));
  const anonymous = createHubClient({ url: target.url });
  const rooms: BenchRoom[] = [];
  for (const name of names) {
    const { token } = await anonymous.createRoom({ name, label: 'bench' });
    const client = createHubClient({ url: target.url, token });
    let cursor = 0;
    for (const agent of agents)
      cursor = (await client.registerAgent(name, { name: agent, client: 'other' })).event.seq;
    rooms.push({ name, token, cursor });
  }
  return rooms;
}
