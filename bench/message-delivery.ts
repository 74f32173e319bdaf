// Messages between agents through a real hub: send→deliver latency at a fixed offered rate over
// many rooms (REST send, WebSocket delivery to the recipient agent), and the highest rate the hub
// sustains with every message committed before it is acknowledged.

import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { createHubClient } from '../src/client/hub-client.js';
import type { Message, RoomEvent } from '../src/core/types.js';
import { formatShares, startCpuMeter } from './cpu-meter.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { ms, perSecond, summarize } from './stats.js';
import type { BenchResult, Row } from './table.js';

export interface DeliveryOptions {
  /** Offered messages per second, spread over `rooms`. */
  rate: number;
  rooms: number;
  warmupSeconds: number;
  seconds: number;
}

interface Setup {
  hub: HubProcess;
  rooms: Array<{ name: string; token: string; cursor: number }>;
  sockets: WebSocket[];
  /** Called with (message body, receive time) for every message delivered to a receiver. */
  onDeliver: (fn: (body: string, at: number) => void) => void;
}

/** A hub with `rooms` rooms, each with agents `sender` and `receiver`; receivers follow over WebSocket. */
async function setUp(rooms: number, sync: 'full' | 'normal'): Promise<Setup> {
  const hub = await startHubProcess({ HUDDLE_SYNC: sync, HUDDLE_DUPLICATE_WINDOW_SECONDS: '0' });
  const anon = createHubClient({ url: hub.url });
  const list: Setup['rooms'] = [];
  for (let i = 0; i < rooms; i++) {
    const name = `bench-msg-${i}`;
    const { token } = await anon.createRoom({ name, label: 'bench' });
    const client = createHubClient({ url: hub.url, token });
    await client.registerAgent(name, { name: 'sender', client: 'other' });
    const { event } = await client.registerAgent(name, { name: 'receiver', client: 'other' });
    list.push({ name, token, cursor: event.seq });
  }
  let deliver: (body: string, at: number) => void = () => {};
  const wsUrl = hub.url.replace(/^http/, 'ws') + '/v1/stream';
  const sockets = await Promise.all(
    list.map(
      (room) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${room.token}` } });
          ws.on('error', reject);
          ws.on('message', (data) => {
            const at = performance.now();
            const frame = JSON.parse(data.toString()) as { type: string; event?: RoomEvent };
            if (frame.type === 'subscribed') resolve(ws);
            if (frame.type === 'event' && frame.event!.type === 'message') {
              deliver((frame.event!.body.message as Message).body, at);
            }
          });
          ws.on('open', () =>
            ws.send(
              JSON.stringify({
                type: 'subscribe',
                room: room.name,
                after: room.cursor,
                agent: 'receiver',
              }),
            ),
          );
        }),
    ),
  );
  return { hub, rooms: list, sockets, onDeliver: (fn) => (deliver = fn) };
}

async function tearDown(setup: Setup): Promise<void> {
  for (const ws of setup.sockets) ws.close();
  await setup.hub.stop();
}

/** POSTs one message as `sender` to `receiver`; resolves with the status code. */
function post(
  agent: Agent,
  base: URL,
  room: { name: string; token: string },
  body: string,
): Promise<number> {
  const payload = Buffer.from(JSON.stringify({ to: 'receiver', kind: 'status', body }));
  return new Promise((resolve) => {
    const req = request(
      new URL(`/v1/rooms/${room.name}/agents/sender/messages`, base),
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${room.token}`,
          'content-type': 'application/json',
          'content-length': String(payload.length),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

/** Open loop: messages leave at the offered rate whatever the answers do. */
/** One more WebSocket per room, for the sender, authenticated but following nothing. */
async function senderSockets(setup: Setup): Promise<WebSocket[]> {
  const wsUrl = setup.hub.url.replace(/^http/, 'ws') + '/v1/stream';
  return Promise.all(
    setup.rooms.map(
      (room) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${room.token}` } });
          ws.on('error', reject);
          ws.on('open', () => resolve(ws));
        }),
    ),
  );
}

/** Sends one message as `sender` over a WebSocket; resolves when the hub answers `sent`. */
function sendFrame(ws: WebSocket, room: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; ref?: string };
      if (frame.ref !== body) return;
      ws.off('message', onMessage);
      resolve(frame.type === 'sent' ? 201 : 0);
    };
    ws.on('message', onMessage);
    ws.send(
      JSON.stringify({
        type: 'send',
        room,
        agent: 'sender',
        ref: body,
        message: { to: 'receiver', kind: 'status', body },
      }),
    );
  });
}

async function fixedRate(
  sync: 'full' | 'normal',
  transport: 'rest' | 'ws',
  o: DeliveryOptions,
): Promise<Row[]> {
  const setup = await setUp(o.rooms, sync);
  const base = new URL(setup.hub.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const senders = transport === 'ws' ? await senderSockets(setup) : [];
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  setup.onDeliver((body, at) => {
    const t0 = sentAt.get(body);
    if (t0 === undefined) return;
    sentAt.delete(body);
    delivered++;
    if (body.startsWith('m')) latencies.push(at - t0);
  });
  const total = Math.round(o.rate * (o.warmupSeconds + o.seconds));
  const warmup = Math.round(o.rate * o.warmupSeconds);
  const started = performance.now();
  const cpu = startCpuMeter(setup.hub.child.pid);
  let sent = 0;
  let failed = 0;
  const inflight: Array<Promise<void>> = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * o.rate));
      while (sent < due) {
        // Warm-up messages are delivered but not measured.
        const body = `${sent < warmup ? 'w' : 'm'}${sent}`;
        const room = setup.rooms[sent % setup.rooms.length]!;
        sentAt.set(body, performance.now());
        const i = sent % setup.rooms.length;
        const posted =
          transport === 'ws'
            ? sendFrame(senders[i]!, room.name, body)
            : post(agent, base, room, body);
        inflight.push(posted.then((status) => void (status !== 201 && failed++)));
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inflight);
  const deadline = performance.now() + 5000;
  while (sentAt.size > failed && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const shares = cpu.stop();
  agent.destroy();
  for (const ws of senders) ws.close();
  await tearDown(setup);

  const s = summarize(latencies);
  const path = `send→deliver at ${o.rate.toLocaleString('en-US')} msg/s over ${o.rooms} rooms, ${transport === 'ws' ? 'WebSocket' : 'REST'} send, sync=${sync}`;
  const durable = sync === 'full';
  return [
    {
      path,
      metric: 'latency p50',
      value: ms(s.p50),
      target: { text: durable ? '≤ 1 ms' : '≤ 0.4 ms', met: s.p50 <= (durable ? 1 : 0.4) },
    },
    {
      path,
      metric: 'latency p99',
      value: ms(s.p99),
      target: { text: durable ? '≤ 5 ms' : '≤ 2 ms', met: s.p99 <= (durable ? 5 : 2) },
    },
    { path, metric: 'latency max', value: ms(s.max) },
    {
      path,
      metric: 'delivered / sent',
      value: `${delivered} / ${sent}${failed ? ` (${failed} refused)` : ''}`,
    },
    { path, metric: 'CPU: server / load gen / others', value: formatShares(shares) },
  ];
}

/** Closed loop: `writers` senders each send the next message once the last was acknowledged. */
async function sustained(writers: number, o: DeliveryOptions): Promise<Row[]> {
  const setup = await setUp(o.rooms, 'full');
  const base = new URL(setup.hub.url);
  const agent = new Agent({ keepAlive: true, maxSockets: writers });
  let delivered = 0;
  setup.onDeliver(() => void delivered++);
  const started = performance.now();
  const from = started + o.warmupSeconds * 1000;
  const to = from + o.seconds * 1000;
  const acks: number[] = [];
  let acked = 0;
  let n = 0;
  const cpu = startCpuMeter(setup.hub.child.pid);
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < to) {
        const t0 = performance.now();
        const room = setup.rooms[(w + n++) % setup.rooms.length]!;
        const status = await post(agent, base, room, `s${w}-${n}`);
        const t1 = performance.now();
        if (status === 201 && t0 >= from && t1 <= to) {
          acked++;
          acks.push(t1 - t0);
        }
      }
    }),
  );
  const shares = cpu.stop();
  agent.destroy();
  await tearDown(setup);
  const s = summarize(acks);
  const path = `messages, ${writers} closed-loop senders over ${o.rooms} rooms, sync=full`;
  return [
    { path, metric: 'committed messages', value: perSecond(acked / o.seconds) },
    {
      path,
      metric: 'ack latency p99',
      value: ms(s.p99),
      target: { text: '≤ 50 ms', met: s.p99 <= 50 },
    },
    { path, metric: 'delivered over WebSocket', value: String(delivered) },
    { path, metric: 'CPU: server / load gen / others', value: formatShares(shares) },
  ];
}

export async function messageDelivery(o: DeliveryOptions): Promise<BenchResult> {
  const rows: Row[] = [];
  for (const [sync, transport] of [
    ['full', 'ws'],
    ['normal', 'ws'],
    ['full', 'rest'],
  ] as const) {
    process.stderr.write(`  send→deliver, ${transport}, sync=${sync} ...\n`);
    rows.push(...(await fixedRate(sync, transport, o)));
  }
  process.stderr.write('  sustained messages ...\n');
  rows.push(...(await sustained(50, o)));
  return {
    rows,
    notes: [
      'Messages: sent as agent "sender" (a `send` frame on its own WebSocket, or a REST POST), delivered to agent "receiver" over another WebSocket per room; latency is from sending to receiving the event frame, both measured in the benchmark process.',
    ],
  };
}
