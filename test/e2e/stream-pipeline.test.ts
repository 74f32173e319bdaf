// A fast sender on the stream: sends pipelined on one connection are acknowledged in frame order,
// each after its commit, logged in frame order, and never cost the sender its connection; when the
// hub falls behind it stops reading the socket instead.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Message, RoomEvent } from '../../src/core/types.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
/** A hub whose every WAL sync waits 100 ms: a slow disk. */
let slow: TestHub;
const tokens = new Map<TestHub, string>();

async function prepare(h: TestHub): Promise<void> {
  const created = await createHubClient({ url: h.url }).createRoom({ name: 'pipe', label: 'x' });
  tokens.set(h, created.token);
  const client = createHubClient({ url: h.url, token: created.token });
  await client.registerAgent('pipe', { name: 'alice' });
  await client.registerAgent('pipe', { name: 'bob' });
}

before(async () => {
  hub = await startTestHub();
  slow = await startTestHub({ HUDDLE_TEST_SYNC_DELAY_MS: '100' });
  await prepare(hub);
  await prepare(slow);
});
after(async () => {
  await hub.stop();
  await slow.stop();
});

interface Conn {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(h: TestHub): Promise<Conn> {
  const ws = new WebSocket(h.url.replace('http', 'ws') + '/v1/stream', {
    headers: { authorization: `Bearer ${tokens.get(h)}` },
  });
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('error', reject);
  });
}

async function waitFor<T>(find: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

function sendFrame(i: number, body = `message ${i}`) {
  return JSON.stringify({
    type: 'send',
    room: 'pipe',
    agent: 'alice',
    ref: `r${i}`,
    idempotency_key: `key-${i}`,
    message: { to: 'bob', body },
  });
}

test('2,000 sends put on one connection at once are all acknowledged, in order, and delivered once each', async () => {
  const bob = await open(hub);
  bob.ws.send(JSON.stringify({ type: 'subscribe', room: 'pipe', after: 0, agent: 'bob' }));
  await waitFor(() => bob.frames.find((f) => f.type === 'subscribed'));
  const alice = await open(hub);
  let closedEarly = false;
  void alice.closed.then(() => (closedEarly = true));
  const n = 2000;
  for (let i = 0; i < n; i++) alice.ws.send(sendFrame(i));
  await waitFor(() => (alice.frames.length >= n ? true : undefined));
  assert.equal(closedEarly, false, 'the sender keeps its connection');
  const replies = alice.frames.slice(0, n);
  assert.ok(
    replies.every((f) => f.type === 'sent'),
    `every reply is "sent": ${JSON.stringify(replies.find((f) => f.type !== 'sent'))}`,
  );
  assert.deepEqual(
    replies.map((f) => f.ref),
    Array.from({ length: n }, (_, i) => `r${i}`),
    'acknowledged in frame order',
  );
  const seqs = replies.map((f) => (f.message as Message).seq);
  assert.ok(
    seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
    'logged in frame order',
  );
  const delivered = () =>
    bob.frames.filter((f) => f.type === 'event' && (f.event as RoomEvent).type === 'message');
  await waitFor(() => (delivered().length >= n ? true : undefined));
  await new Promise((r) => setTimeout(r, 100));
  const bodies = delivered().map((f) => ((f.event as RoomEvent).body.message as Message).body);
  assert.deepEqual(
    bodies,
    Array.from({ length: n }, (_, i) => `message ${i}`),
    'each delivered once, in order',
  );
  alice.ws.close();
  bob.ws.close();
});

test('on a slow disk no subscriber sees a message before the sync that makes it durable', async () => {
  const res = await fetch(`${slow.url}/v1/rooms/pipe`, {
    headers: { authorization: `Bearer ${tokens.get(slow)}` },
  });
  const head = ((await res.json()) as { room: { last_seq: number } }).room.last_seq;
  const bob = await open(slow);
  bob.ws.send(JSON.stringify({ type: 'subscribe', room: 'pipe', after: head, agent: 'bob' }));
  await waitFor(() => bob.frames.find((f) => f.type === 'subscribed'));
  const alice = await open(slow);
  const arrived = new Map<string, number>();
  bob.ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { type: string; event?: RoomEvent };
    if (f.type === 'event' && f.event?.type === 'message')
      arrived.set((f.event.body.message as Message).body, performance.now());
  });
  const started = performance.now();
  alice.ws.send(sendFrame(7000, 'durable first'));
  await waitFor(() => arrived.get('durable first'));
  // Every sync on this hub waits 100 ms before it runs.
  assert.ok(
    arrived.get('durable first')! - started >= 95,
    `delivered after ${(arrived.get('durable first')! - started).toFixed(1)} ms`,
  );
  alice.ws.close();
  bob.ws.close();
});

test('answers keep frame order across kinds: a subscribe after a send is answered after it', async () => {
  const conn = await open(slow);
  conn.ws.send(sendFrame(9000));
  conn.ws.send(JSON.stringify({ type: 'ping', ref: 'p1' }));
  conn.ws.send(JSON.stringify({ type: 'subscribe', room: 'pipe', after: 0, ref: 's1' }));
  conn.ws.send(sendFrame(9001));
  await waitFor(() =>
    conn.frames.filter((f) => f.type !== 'event').length >= 4 ? true : undefined,
  );
  assert.deepEqual(
    conn.frames.filter((f) => f.type !== 'event').map((f) => `${f.type}:${f.ref}`),
    ['sent:r9000', 'pong:p1', 'subscribed:s1', 'sent:r9001'],
  );
  // The backlog follows `subscribed`, and holds the first send.
  const first = conn.frames.findIndex((f) => f.type === 'event');
  assert.ok(first > conn.frames.findIndex((f) => f.type === 'subscribed'));
  conn.ws.close();
});

test('on a slow disk a flood of sends is slowed down by back-pressure, not disconnected, and nothing is lost', async () => {
  const alice = await open(slow);
  let closedEarly = false;
  void alice.closed.then(() => (closedEarly = true));
  // 600 sends of 8 KiB: more in flight than the hub reads before it pauses, and more bytes than
  // the socket buffers hold, so the client sees its own writes wait.
  const n = 600;
  const body = 'x'.repeat(8 * 1024);
  let mostBuffered = 0;
  for (let i = 0; i < n; i++) {
    alice.ws.send(sendFrame(1000 + i, `${i} ${body}`));
    mostBuffered = Math.max(mostBuffered, alice.ws.bufferedAmount);
  }
  const watch = setInterval(
    () => (mostBuffered = Math.max(mostBuffered, alice.ws.bufferedAmount)),
    5,
  );
  try {
    await waitFor(() => (alice.frames.length >= n ? true : undefined), 60_000);
  } finally {
    clearInterval(watch);
  }
  assert.equal(closedEarly, false, 'the sender keeps its connection');
  assert.ok(
    alice.frames.every((f) => f.type === 'sent'),
    JSON.stringify(alice.frames.find((f) => f.type !== 'sent')),
  );
  assert.ok(mostBuffered > 512 * 1024, `the hub stopped reading (${mostBuffered} bytes waited)`);
  const logged = new Set<string>();
  for (let cursor = 0; ;) {
    const res = await fetch(`${slow.url}/v1/rooms/pipe/events?after=${cursor}&limit=100`, {
      headers: { authorization: `Bearer ${tokens.get(slow)}` },
    });
    const page = (await res.json()) as {
      events: RoomEvent[];
      has_more: boolean;
      next_after: number;
    };
    for (const e of page.events)
      if (e.type === 'message' && (e.body.message as Message).body.endsWith(body))
        logged.add((e.body.message as Message).body.split(' ')[0]!);
    if (!page.has_more) break;
    cursor = page.next_after;
  }
  assert.equal(logged.size, n, 'every acknowledged send is in the log, once');
  alice.ws.close();
});

test('on a slow disk the hub keeps answering reads while writes wait for the sync', async () => {
  // Syncs of a full second here, so the writes certainly wait while the reads are timed.
  const slower = await startTestHub({ HUDDLE_TEST_SYNC_DELAY_MS: '1000' });
  try {
    await prepare(slower);
    const alice = await open(slower);
    const read = async (path: string) => {
      const started = performance.now();
      const res = await fetch(`${slower.url}${path}`, {
        headers: { authorization: `Bearer ${tokens.get(slower)}` },
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      return performance.now() - started;
    };
    // A sync runs now (the agents' registration is synced already); wait for it to pass.
    await read('/healthz');
    for (let i = 0; i < 200; i++) alice.ws.send(sendFrame(5000 + i));
    // Let the hub read the sends and queue their writes, which then wait on the slow sync.
    await new Promise((r) => setTimeout(r, 150));
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      times.push(await read('/healthz'));
      times.push(await read('/v1/rooms/pipe/events?after=0&limit=50'));
    }
    assert.equal(alice.frames.length, 0, 'the writes were still waiting for their sync');
    assert.ok(Math.max(...times) < 50, `reads took ${times.map((t) => t.toFixed(1))} ms`);
    await waitFor(() => (alice.frames.length >= 200 ? true : undefined), 30_000);
    assert.ok(alice.frames.every((f) => f.type === 'sent'));
    alice.ws.close();
  } finally {
    await slower.stop();
  }
});
