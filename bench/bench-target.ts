// What a write-path scenario runs against: a real hub (`huddle serve` as a child process) or the
// bare `ws` relay (bench/relay-server.js, also a child process), with the rooms and agents the
// scenario needs, so the same load-generator config drives both.

import { fileURLToPath } from 'node:url';
import { createHubClient } from '../src/client/hub-client.js';
import { startHubProcess } from './hub-process.js';
import { startListening } from './node-process.js';

export type TargetKind = 'hub' | 'relay';

export interface BenchTarget {
  kind: TargetKind;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/v1/stream */
  stream: string;
  pid: number | undefined;
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
  return startRelay();
}

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
