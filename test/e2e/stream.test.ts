// The WebSocket stream and the long-polls over a real hub: auth, order and resume, delivery receipts, presence, limits.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  connect as connectTcp,
  createServer as createNetServer,
  type AddressInfo,
  type Socket,
} from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createManualClock } from '../../src/core/clock.js';
import type { Message, RoomEvent } from '../../src/core/types.js';
import { silentLogger } from '../../src/server/logger.js';
import { attachGateway } from '../../src/server/stream/gateway.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Frame {
  type: string;
  [key: string]: any;
}

/** A raw stream connection that records every frame and lets a test wait for the next one it wants. */
class Peer {
  readonly frames: Frame[] = [];
  /** Indexes of frames already taken by `next`; frames before `start` are all taken. */
  private readonly taken = new Set<number>();
  private start = 0;
  private wake: () => void = () => {};
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      }),
    );
  }

  /**
   * Takes the earliest frame not taken yet that matches, waiting for it if needed. Frames that do
   * not match stay for later calls.
   */
  async next(match: (f: Frame) => boolean, what = 'a frame', timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.start; i < this.frames.length; i++) {
        if (this.taken.has(i) || !match(this.frames[i]!)) continue;
        this.taken.add(i);
        while (this.taken.has(this.start)) this.taken.delete(this.start++);
        return this.frames[i]!;
      }
      if (this.closeInfo)
        throw new Error(`closed (${this.closeInfo.code}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no ${what} within ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-5))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Takes the next event that matches, skipping other frames. */
  async event(
    match: (e: RoomEvent) => boolean,
    what = 'an event',
    timeoutMs = 5000,
  ): Promise<RoomEvent> {
    const f = await this.next(
      (x) => x.type === 'event' && match(x.event as RoomEvent),
      what,
      timeoutMs,
    );
    return f.event as RoomEvent;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** A ping that proves the connection still answers. */
  async ping(ref: string): Promise<void> {
    this.send({ type: 'ping', ref });
    await this.next((f) => f.type === 'pong' && f.ref === ref, `pong ${ref}`);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000);
    return this.closed;
  }
}

function wsUrl(base: string): string {
  return base.replace(/^http/, 'ws') + '/v1/stream';
}

/** Opens a stream connection; the token, when given, goes in the Authorization header. */
function connect(
  base: string,
  token?: string,
  headers: Record<string, string> = {},
  path = '',
): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(base) + path, {
      headers: { ...headers, ...(token && { authorization: `Bearer ${token}` }) },
    });
    const peer = new Peer(ws);
    ws.once('open', () => resolve(peer));
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused with ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });
}

/** The HTTP status with which the hub refuses an upgrade. */
function refusedUpgrade(base: string, headers: Record<string, string>, path = '') {
  return new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(wsUrl(base) + path, { headers });
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
  });
}

async function subscribe(peer: Peer, frame: Record<string, unknown>): Promise<Frame> {
  const ref = `sub-${Math.random()}`;
  peer.send({ type: 'subscribe', ref, ...frame });
  const answer = await peer.next(
    (f) => f.ref === ref && (f.type === 'subscribed' || f.type === 'error'),
    'the subscribe answer',
  );
  assert.equal(answer.type, 'subscribed', JSON.stringify(answer));
  return answer;
}

/** REST calls against one hub. */
function api(base: string) {
  async function call(method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json()) as any;
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  }
  return {
    call,
    async room(name: string): Promise<string> {
      return (await call('POST', '/v1/rooms', undefined, { name, label: 'admin' })).token;
    },
    async member(room: string, admin: string, label: string): Promise<string> {
      const { code } = await call('POST', `/v1/rooms/${room}/codes`, admin, {});
      return (await call('POST', '/v1/join', undefined, { code, label })).token;
    },
    agent(room: string, token: string, name: string) {
      return call('POST', `/v1/rooms/${room}/agents`, token, { name });
    },
    note(room: string, token: string, text: string): Promise<{ event: RoomEvent }> {
      return call('POST', `/v1/rooms/${room}/notes`, token, { text });
    },
    send(
      room: string,
      token: string,
      from: string,
      to: string | string[],
      body: string,
    ): Promise<{ message: Message; event: RoomEvent }> {
      return call('POST', `/v1/rooms/${room}/agents/${from}/messages`, token, { to, body });
    },
    async head(room: string, token: string): Promise<number> {
      return (await call('GET', `/v1/rooms/${room}?limit=1`, token)).cursor;
    },
    async events(room: string, token: string, after = 0): Promise<RoomEvent[]> {
      const all: RoomEvent[] = [];
      for (;;) {
        const page = await call('GET', `/v1/rooms/${room}/events?after=${after}&limit=100`, token);
        all.push(...page.events);
        if (!page.has_more) return all;
        after = page.next_after;
      }
    },
    async receipts(room: string, token: string, id: string) {
      return (await call('GET', `/v1/rooms/${room}/messages/${id}/receipts`, token))
        .receipts as Array<{
        agent: string;
        delivered_at: string | null;
        injected_at: string | null;
      }>;
    },
  };
}

/** Polls a condition of the in-process hub (a state with no event to wait on). */
async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A small seeded generator, so a failing interleaving can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let hub: TestHub;
let rest: ReturnType<typeof api>;
before(async () => {
  hub = await startTestHub();
  rest = api(hub.url);
});
after(() => hub.stop());

describe('authentication', () => {
  test('by the Authorization header, or by an auth first frame', async () => {
    const admin = await rest.room('auth-ways');
    const byHeader = await connect(hub.url, admin);
    try {
      await subscribe(byHeader, { room: 'auth-ways', after: 0 });
      const first = await byHeader.event(() => true);
      assert.equal(first.seq, 1);
      assert.equal(first.type, 'room.created');
    } finally {
      await byHeader.close();
    }

    const byFrame = await connect(hub.url);
    try {
      // Before authenticating, a subscribe is refused and the connection stays open.
      byFrame.send({ type: 'subscribe', room: 'auth-ways', ref: 'early' });
      const early = await byFrame.next((f) => f.ref === 'early', 'the early refusal');
      assert.equal(early.type, 'error');
      assert.equal(early.code, 'missing_token');
      byFrame.send({ type: 'auth', token: admin, ref: 'a1' });
      const ok = await byFrame.next((f) => f.ref === 'a1', 'the auth answer');
      assert.equal(ok.type, 'authenticated');
      assert.equal(ok.room, 'auth-ways');
      assert.equal(ok.member.label, 'admin');
      await subscribe(byFrame, { room: 'auth-ways', after: 0 });
      assert.equal((await byFrame.event(() => true)).seq, 1);
    } finally {
      await byFrame.close();
    }
  });

  test('a bad token in the auth frame gets an error frame, then close 4001', async () => {
    const peer = await connect(hub.url);
    peer.send({ type: 'auth', token: 'hd_' + 'A'.repeat(43), ref: 'bad' });
    const err = await peer.next((f) => f.ref === 'bad', 'the refusal');
    assert.equal(err.type, 'error');
    assert.equal(err.code, 'unknown_token');
    assert.equal((await peer.closed).code, 4001);
  });

  test('an unknown token in the header is refused at the upgrade (401)', async () => {
    assert.equal(
      await refusedUpgrade(hub.url, { authorization: `Bearer hd_${'B'.repeat(43)}` }),
      401,
    );
  });

  test('a token in the URL is refused (400), even with a valid header', async () => {
    const admin = await rest.room('url-token');
    assert.equal(await refusedUpgrade(hub.url, {}, `?token=${admin}`), 400);
    assert.equal(
      await refusedUpgrade(hub.url, { authorization: `Bearer ${admin}` }, `?token=${admin}`),
      400,
    );
  });

  test('a foreign Origin is refused (403); the hub’s own Origin is accepted', async () => {
    const admin = await rest.room('origins');
    assert.equal(
      await refusedUpgrade(hub.url, {
        origin: 'https://evil.example',
        authorization: `Bearer ${admin}`,
      }),
      403,
    );
    assert.equal(await refusedUpgrade(hub.url, { origin: 'not a url' }), 403);
    const own = await connect(hub.url, admin, { origin: hub.url });
    try {
      await subscribe(own, { room: 'origins' });
    } finally {
      await own.close();
    }
  });

  test('no credential within the auth timeout closes with 4001; authenticated ones stay', async () => {
    // startHub gives the gateway its default 10 s; a second gateway on the same Hub is shortened.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const gateway = attachGateway(
      server,
      hub.hub,
      { heartbeatMs: 60_000, bufferLimitBytes: 8 << 20, authTimeoutMs: 200 },
      silentLogger,
    );
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const admin = await rest.room('auth-timeout');
      const byHeader = await connect(base, admin);
      const byFrame = await connect(base);
      byFrame.send({ type: 'auth', token: admin, ref: 'in-time' });
      await byFrame.next((f) => f.type === 'authenticated', 'authenticated');
      const silent = await connect(base);
      const closed = await silent.closed;
      assert.equal(closed.code, 4001);
      // The others opened earlier, so their timers have fired too: they still answer.
      await byHeader.ping('still-here');
      await byFrame.ping('still-here');
      await byHeader.close();
      await byFrame.close();
    } finally {
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('order and resume', () => {
  test('the backlog after the cursor, then live events, in order', async () => {
    const admin = await rest.room('backlog');
    for (let i = 1; i <= 5; i++) await rest.note('backlog', admin, `before ${i}`);
    const head = await rest.head('backlog', admin);
    assert.equal(head, 6);
    const peer = await connect(hub.url, admin);
    try {
      const ack = await subscribe(peer, { room: 'backlog', after: 3 });
      assert.equal(ack.after, 3);
      const backlog: RoomEvent[] = [];
      while (backlog.length < 3) backlog.push(await peer.event(() => true));
      assert.deepEqual(
        backlog.map((e) => [e.seq, e.body.text]),
        [
          [4, 'before 3'],
          [5, 'before 4'],
          [6, 'before 5'],
        ],
      );
      const written = [];
      for (let i = 1; i <= 3; i++)
        written.push((await rest.note('backlog', admin, `live ${i}`)).event);
      const live: RoomEvent[] = [];
      while (live.length < 3) live.push(await peer.event(() => true));
      assert.deepEqual(live, written);
      // Nothing else arrives: a ping answered after them proves no event was pending.
      await peer.ping('after-live');
      assert.equal(peer.frames.filter((f) => f.type === 'event').length, 6);
    } finally {
      await peer.close();
    }
  });

  test('4 concurrent writers x 100, a subscriber dropping at random points: it receives exactly the log', async () => {
    const ROOM = 'resume';
    const admin = await rest.room(ROOM);
    const writers: string[] = [];
    for (let w = 0; w < 4; w++) {
      const token = await rest.member(ROOM, admin, `writer-${w}`);
      await rest.agent(ROOM, token, `w${w}`);
      writers.push(token);
    }
    // HUDDLE_TEST_SEED replays the interleaving a failure printed.
    const seed = Number(process.env.HUDDLE_TEST_SEED ?? Date.now() % 1_000_000);
    const rng = seeded(seed);
    const received: RoomEvent[] = [];
    let cursor = 0;
    let connections = 0;
    let failure: Error | undefined;

    // The subscriber: reconnects with after=<last seq seen> until it has seen the END note.
    const follow = (async () => {
      for (;;) {
        connections++;
        const budget = 1 + Math.floor(rng() * 120);
        const abrupt = rng() < 0.5;
        const peer = await connect(hub.url, admin);
        peer.send({ type: 'subscribe', room: ROOM, after: cursor });
        let seen = 0;
        for (;;) {
          const f = await peer.next(
            (x) => x.type === 'event' || x.type === 'error',
            `event after ${cursor}`,
            15_000,
          );
          if (f.type === 'error') throw new Error(`stream error: ${JSON.stringify(f)}`);
          const e = f.event as RoomEvent;
          if (e.seq !== cursor + 1) {
            throw new Error(
              `seq ${e.seq} after ${cursor} on connection ${connections} (seed ${seed})`,
            );
          }
          cursor = e.seq;
          received.push(e);
          if (e.type === 'note' && e.body.text === 'END') {
            await peer.close();
            return;
          }
          if (++seen >= budget) break;
        }
        if (abrupt) {
          peer.ws.terminate();
          await peer.closed;
        } else {
          await peer.close();
        }
      }
    })().catch((err: Error) => {
      failure = err;
    });

    const PER_WRITER = 100;
    await Promise.all(
      writers.map(async (token, w) => {
        // Two requests in flight per writer; half notes, half messages to the next writer.
        await Promise.all(
          [0, 1].map(async (lane) => {
            for (let i = lane; i < PER_WRITER; i += 2) {
              if (i % 2 === 0) await rest.note(ROOM, token, `w${w} note ${i}`);
              else await rest.send(ROOM, token, `w${w}`, `w${(w + 1) % 4}`, `w${w} message ${i}`);
            }
          }),
        );
      }),
    );
    const end = await rest.note(ROOM, admin, 'END');
    await follow;
    if (failure) throw failure;

    const log = await rest.events(ROOM, admin);
    assert.equal(log.at(-1)?.seq, end.event.seq);
    assert.equal(log.filter((e) => e.type === 'message').length, 4 * (PER_WRITER / 2));
    assert.equal(log.filter((e) => e.type === 'note').length, 4 * (PER_WRITER / 2) + 1);
    assert.deepEqual(
      received.map((e) => e.seq),
      log.map((e) => e.seq),
      `seed ${seed}`,
    );
    assert.deepEqual(received, log);
    assert.ok(connections >= 4, `the subscriber reconnected (${connections} connections)`);
  });

  test('the stream client resumes by cursor after its connection is cut, without gap or duplicate', async () => {
    const { connectStream } = await import('../../src/client/stream-client.js');
    const ROOM = 'client-resume';
    const admin = await rest.room(ROOM);
    // A TCP proxy in front of the hub, so the test can cut the client's connection (1006).
    const sockets = new Set<Socket>();
    const proxy = createNetServer((client) => {
      const upstream = connectTcp(hub.port, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const seen: number[] = [];
    const notices: string[] = [];
    let onSeen: () => void = () => {};
    const stream = connectStream({
      url: proxyUrl,
      token: admin,
      subscriptions: [{ room: ROOM, after: 0 }],
      onEvent: (e) => {
        seen.push(e.seq);
        onSeen();
      },
      onNotice: (n) => notices.push(n.type),
    });
    const waitFor = (seq: number) =>
      new Promise<void>((resolve) => {
        onSeen = () => {
          if ((seen.at(-1) ?? 0) >= seq) resolve();
        };
        onSeen();
      });
    try {
      let head = 1;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 5; i++)
          head = (await rest.note(ROOM, admin, `r${round} n${i}`)).event.seq;
        await waitFor(head);
        for (const s of sockets) s.destroy();
        // Written while the client is cut off: it gets them after it resumes.
        for (let i = 0; i < 3; i++)
          head = (await rest.note(ROOM, admin, `r${round} gap ${i}`)).event.seq;
      }
      await waitFor(head);
      assert.deepEqual(
        seen,
        Array.from({ length: head }, (_, i) => i + 1),
      );
      assert.equal(notices.filter((n) => n === 'reconnecting').length, 3);
    } finally {
      stream.close();
      await stream.done;
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('delivery and presence', () => {
  test("a message pushed to the recipient agent's subscription is marked delivered; others' are not", async () => {
    const ROOM = 'delivery';
    const admin = await rest.room(ROOM);
    const a = await rest.member(ROOM, admin, 'machine-a');
    const b = await rest.member(ROOM, admin, 'machine-b');
    const c = await rest.member(ROOM, admin, 'machine-c');
    await rest.agent(ROOM, a, 'alice');
    await rest.agent(ROOM, b, 'bob');
    await rest.agent(ROOM, c, 'carol');
    await rest.agent(ROOM, c, 'dave');
    const head = await rest.head(ROOM, admin);

    const bob = await connect(hub.url, b);
    const carol = await connect(hub.url, c);
    const watcher = await connect(hub.url, admin);
    try {
      await subscribe(bob, { room: ROOM, after: head, agent: 'bob' });
      await subscribe(carol, { room: ROOM, after: head, agent: 'carol' });
      await subscribe(watcher, { room: ROOM, after: head });

      // To dave, who has no connection: carol's agent stream and the watcher both see it.
      const toDave = await rest.send(ROOM, a, 'alice', 'dave', 'for dave');
      for (const p of [carol, watcher]) {
        const e = await p.event((x) => x.type === 'message', 'the message to dave');
        assert.equal((e.body.message as Message).id, toDave.message.id);
      }
      // To bob: his agent stream gets it, then a receipt event says it was delivered.
      const toBob = await rest.send(ROOM, a, 'alice', 'bob', 'for bob');
      const got = await bob.event(
        (x) => x.type === 'message' && (x.body.message as Message).id === toBob.message.id,
        'the message to bob',
      );
      assert.equal(got.seq, toBob.event.seq);
      const receipt = await watcher.event((x) => x.type === 'receipt', 'a receipt event');
      assert.deepEqual(
        [receipt.body.agent, receipt.body.step, receipt.body.message_ids],
        ['bob', 'delivered', [toBob.message.id]],
      );
      const [bobReceipt] = await rest.receipts(ROOM, a, toBob.message.id);
      assert.equal(bobReceipt?.agent, 'bob');
      assert.ok(bobReceipt?.delivered_at, 'bob: delivered');

      // By now any delivery the dave message could have caused was recorded: there is none.
      const [daveReceipt] = await rest.receipts(ROOM, a, toDave.message.id);
      assert.equal(daveReceipt?.delivered_at, null);
      const receipts = (await rest.events(ROOM, admin, head)).filter((e) => e.type === 'receipt');
      assert.deepEqual(
        receipts.map((e) => e.body.agent),
        ['bob'],
      );
    } finally {
      await Promise.all([bob.close(), carol.close(), watcher.close()]);
    }
  });

  test('an agent subscription from another member is refused (not_your_agent)', async () => {
    const ROOM = 'bind-refused';
    const admin = await rest.room(ROOM);
    const b = await rest.member(ROOM, admin, 'machine-b');
    await rest.agent(ROOM, b, 'bob');
    const peer = await connect(hub.url, admin);
    try {
      peer.send({ type: 'subscribe', room: ROOM, agent: 'bob', ref: 'steal' });
      const err = await peer.next((f) => f.ref === 'steal', 'the refusal');
      assert.equal(err.type, 'error');
      assert.equal(err.code, 'not_your_agent');
      await peer.ping('still-open');
    } finally {
      await peer.close();
    }
  });

  test("presence and injected frames act for the connection's own agent", async () => {
    const ROOM = 'frames-agent';
    const admin = await rest.room(ROOM);
    const a = await rest.member(ROOM, admin, 'machine-a');
    const b = await rest.member(ROOM, admin, 'machine-b');
    await rest.agent(ROOM, a, 'alice');
    await rest.agent(ROOM, b, 'bob');
    const head = await rest.head(ROOM, admin);
    const bob = await connect(hub.url, b);
    try {
      await subscribe(bob, { room: ROOM, after: head, agent: 'bob' });
      bob.send({ type: 'presence', room: ROOM, agent: 'bob', status: 'waiting', ref: 'p1' });
      const presence = await bob.next((f) => f.ref === 'p1', 'the presence answer');
      assert.deepEqual(
        [presence.type, presence.agent, presence.status],
        ['presence', 'bob', 'waiting'],
      );
      const status = await bob.event((e) => e.type === 'agent.status', 'the status event');
      assert.deepEqual([status.body.from, status.body.to], ['online', 'waiting']);

      bob.send({ type: 'presence', room: ROOM, agent: 'alice', status: 'idle', ref: 'p2' });
      const refused = await bob.next((f) => f.ref === 'p2', 'the refusal');
      assert.deepEqual([refused.type, refused.code], ['error', 'not_your_agent']);

      const sent = await rest.send(ROOM, a, 'alice', 'bob', 'inject me');
      await bob.event((e) => e.type === 'message', 'the message');
      bob.send({ type: 'injected', room: ROOM, agent: 'bob', ids: [sent.message.id], ref: 'i1' });
      const injected = await bob.next((f) => f.ref === 'i1', 'the injected answer');
      assert.deepEqual([injected.type, injected.ids], ['injected', [sent.message.id]]);
      const [receipt] = await rest.receipts(ROOM, a, sent.message.id);
      assert.ok(receipt?.injected_at);
      assert.ok(receipt?.delivered_at);
    } finally {
      await bob.close();
    }
  });

  test('closing the last connection of an agent takes it offline', async () => {
    const ROOM = 'presence';
    const admin = await rest.room(ROOM);
    const b = await rest.member(ROOM, admin, 'machine-b');
    await rest.agent(ROOM, b, 'bob');
    await rest.call('POST', `/v1/rooms/${ROOM}/agents/bob/heartbeat`, b, { status: 'working' });
    const head = await rest.head(ROOM, admin);
    const watcher = await connect(hub.url, admin);
    await subscribe(watcher, { room: ROOM, after: head });
    const base = hub.gateway.connections;
    const first = await connect(hub.url, b);
    const second = await connect(hub.url, b);
    try {
      await subscribe(first, { room: ROOM, after: head, agent: 'bob' });
      await subscribe(second, { room: ROOM, after: head, agent: 'bob' });

      await first.close();
      await until(
        () => hub.gateway.connections === base + 1,
        'the hub to drop the first connection',
      );
      // A note written after that close was handled: no status event comes before it.
      const marker = await rest.note(ROOM, admin, 'after the first close');
      const next = await watcher.event(() => true);
      assert.deepEqual([next.type, next.seq], ['note', marker.event.seq]);
      const { agents } = await rest.call('GET', `/v1/rooms/${ROOM}/agents`, admin);
      assert.equal(agents[0].status, 'working');

      await second.close();
      const offline = await watcher.event((e) => e.type === 'agent.status', 'bob going offline');
      assert.deepEqual(
        [offline.body.agent, offline.body.from, offline.body.to],
        ['bob', 'working', 'offline'],
      );
      const after = await rest.call('GET', `/v1/rooms/${ROOM}/agents`, admin);
      assert.equal(after.agents[0].status, 'offline');

      // Connecting again brings it back online.
      const third = await connect(hub.url, b);
      await subscribe(third, { room: ROOM, agent: 'bob', after: offline.seq });
      const online = await watcher.event((e) => e.type === 'agent.status', 'bob online again');
      assert.deepEqual([online.body.from, online.body.to], ['offline', 'online']);
      await third.close();
    } finally {
      await Promise.all([first.close(), second.close(), watcher.close()]);
    }
  });

  test('a connected agent that a sweep took offline is online again by its next connection heartbeat', async () => {
    // A manual clock lets the sweep find the agent silent; the connection itself stays alive.
    const clock = createManualClock(Date.now());
    const timed = await startTestHub({ HUDDLE_HEARTBEAT_SECONDS: '1' }, clock);
    const timedRest = api(timed.url);
    const ROOM = 'swept-while-connected';
    const admin = await timedRest.room(ROOM);
    const b = await timedRest.member(ROOM, admin, 'machine-b');
    await timedRest.agent(ROOM, b, 'bob');
    const head = await timedRest.head(ROOM, admin);
    const bob = await connect(timed.url, b);
    const watcher = await connect(timed.url, admin);
    try {
      await subscribe(bob, { room: ROOM, after: head, agent: 'bob' });
      await subscribe(watcher, { room: ROOM, after: head });
      clock.advance(timed.config.offline_after_seconds * 1000 + 1);
      await timed.hub.presence.sweepPresence();
      const offline = await watcher.event((e) => e.type === 'agent.status', 'the sweep');
      assert.equal(offline.body.to, 'offline');
      // Its connection still answers pings every second: the hub knows it is alive.
      const back = await watcher.event(
        (e) => e.type === 'agent.status',
        'bob back online while connected',
        3000,
      );
      assert.deepEqual([back.body.from, back.body.to], ['offline', 'online']);
    } finally {
      await Promise.all([bob.close(), watcher.close()]);
      await timed.stop();
    }
  });
});

describe('frames', () => {
  test('malformed JSON, an unknown type, binary and a frame nested deeper than 16 get error frames; the connection goes on', async () => {
    const admin = await rest.room('frames');
    const peer = await connect(hub.url, admin);
    try {
      const errorAfter = async (raw: string | Buffer, ping: string) => {
        peer.ws.send(raw);
        const err = await peer.next((f) => f.type === 'error', 'an error frame');
        await peer.ping(ping);
        return err;
      };
      const malformed = await errorAfter('{"type": "ping",', 'p1');
      assert.equal(malformed.code, 'invalid_frame');
      assert.match(malformed.message, /not valid JSON/);

      const unknown = await errorAfter(JSON.stringify({ type: 'launch', ref: 'x' }), 'p2');
      assert.equal(unknown.code, 'invalid_frame');

      const extra = await errorAfter(JSON.stringify({ type: 'ping', sneaky: true }), 'p3');
      assert.equal(extra.code, 'invalid_frame');

      const binary = await errorAfter(Buffer.from([1, 2, 3]), 'p4');
      assert.equal(binary.code, 'invalid_frame');

      const deep = await errorAfter('['.repeat(17) + ']'.repeat(17), 'p5');
      assert.equal(deep.code, 'invalid_frame');
      assert.match(deep.message, /deeper than 16/);
      // 16 levels is within the limit: refused for its shape, not its depth.
      const sixteen = await errorAfter('['.repeat(16) + ']'.repeat(16), 'p6');
      assert.equal(sixteen.code, 'invalid_frame');
      assert.doesNotMatch(sixteen.message, /deeper/);
      // Brackets inside strings do not count.
      const quoted = await errorAfter(
        JSON.stringify({ type: 'ping', ref: '['.repeat(40) }).replace('"ping"', '"pong"'),
        'p7',
      );
      assert.doesNotMatch(quoted.message, /deeper/);

      await subscribe(peer, { room: 'frames' });
      assert.equal((await peer.event(() => true)).seq, 1);
    } finally {
      await peer.close();
    }
  });

  test('a frame over 1 MiB closes the connection with 1009', async () => {
    const admin = await rest.room('big-frame');
    const peer = await connect(hub.url, admin);
    peer.send(JSON.stringify({ type: 'ping', ref: 'x'.repeat(1024 * 1024) }));
    assert.equal((await peer.closed).code, 1009);
  });
});

describe('slow consumers', () => {
  let dir: ReturnType<typeof tempDir>;
  let slow: TestHub;
  before(async () => {
    dir = tempDir();
    const configFile = join(dir.path, 'settings.json');
    // stream_buffer_limit_bytes is read from the config file only: set it to its minimum.
    writeFileSync(configFile, JSON.stringify({ stream_buffer_limit_bytes: 64 * 1024 }));
    slow = await startTestHub({ HUDDLE_CONFIG: configFile });
  });
  after(async () => {
    await slow.stop();
    dir.remove();
  });

  const TOTAL = 400;

  /**
   * Subscribes to a new room from seq 1, stops reading (the socket is paused) while TOTAL notes of
   * 60 KiB are written, far more than the kernel buffers of a loopback connection hold, then
   * reads again until the hub closes the connection.
   */
  async function flood(room: string) {
    const token = await api(slow.url).room(room);
    const principal = await slow.hub.members.authenticate(token);
    const peer = await connect(slow.url, token);
    await subscribe(peer, { room, after: 1 });
    const socket = (peer.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const text = 'x'.repeat(60 * 1024);
    for (let batch = 0; batch < TOTAL; batch += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          slow.hub.rooms.writeNote({ principal, room }, { text: `${batch + i} ${text}` }),
        ),
      );
    }
    socket.resume();
    const closed = await peer.closed;
    const got = peer.frames.filter((f) => f.type === 'event').map((f) => f.event.seq as number);
    return { token, closed, got, last: TOTAL + 1 };
  }

  test('a connection whose send buffer passes stream_buffer_limit_bytes is closed with 4008; it resumes from its cursor', async () => {
    const ROOM = 'slow';
    const { token, closed, got, last } = await flood(ROOM);
    assert.equal(closed.code, 4008, `closed with ${closed.code} ${closed.reason}`);
    assert.match(closed.reason, /^slow consumer; resume from slow@\d+$/);
    assert.ok(got.length < TOTAL, `only part was sent (${got.length} of ${TOTAL})`);
    assert.deepEqual(
      got,
      Array.from({ length: got.length }, (_, i) => i + 2),
    );

    // Resuming from the last seq received brings the rest, once each (reconnecting on 4008 again,
    // as a client should: the catch-up itself may pass the small limit).
    let cursor = got.at(-1) ?? 1;
    const resumed: number[] = [];
    for (let attempt = 0; cursor !== last; attempt++) {
      assert.ok(attempt < 100, `still at ${cursor} after 100 resumes`);
      const again = await connect(slow.url, token);
      await subscribe(again, { room: ROOM, after: cursor });
      try {
        while (cursor !== last) {
          const e = await again.event(() => true);
          resumed.push(e.seq);
          cursor = e.seq;
        }
      } catch (err) {
        if (again.closeInfo?.code !== 4008) throw err;
      }
      await again.close();
    }
    const from = (got.at(-1) ?? 1) + 1;
    assert.deepEqual(
      resumed,
      Array.from({ length: last - from + 1 }, (_, i) => from + i),
    );
  });

  test('the 4008 close reason names the last seq actually sent, so resuming from it loses nothing', async () => {
    const { closed, got } = await flood('slow-reason');
    assert.equal(closed.code, 4008);
    const named = Number(/resume from slow-reason@(\d+)/.exec(closed.reason)?.[1]);
    assert.equal(
      named,
      got.at(-1) ?? 1,
      `the reason says resume from ${named}, but the last event sent was ${got.at(-1)}: resuming from the reason skips ${named}`,
    );
  });

  test('a client that reads promptly is not shed while it catches up a backlog larger than the default limit', async () => {
    // The shared hub keeps the default stream_buffer_limit_bytes (8 MiB); the backlog is ~18 MB.
    assert.equal(hub.config.stream_buffer_limit_bytes, 8 * 1024 * 1024);
    const ROOM = 'big-backlog';
    const token = await rest.room(ROOM);
    const principal = await hub.hub.members.authenticate(token);
    const text = 'x'.repeat(60 * 1024);
    const N = 300;
    for (let batch = 0; batch < N; batch += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          hub.hub.rooms.writeNote({ principal, room: ROOM }, { text: `${batch + i} ${text}` }),
        ),
      );
    }
    const peer = await connect(hub.url, token);
    try {
      await subscribe(peer, { room: ROOM, after: 0 });
      const seen: number[] = [];
      try {
        while (seen.at(-1) !== N + 1)
          seen.push((await peer.event(() => true, 'the backlog', 15_000)).seq);
      } catch (err) {
        assert.fail(
          `shed after ${seen.length} of ${N + 1} events while reading promptly: ${JSON.stringify(peer.closeInfo)} (${(err as Error).message})`,
        );
      }
      assert.equal(seen.length, N + 1);
    } finally {
      await peer.close();
    }
  });
});

describe('long-poll', () => {
  const ROOM = 'long-poll';
  let admin: string;
  let bobToken: string;
  before(async () => {
    admin = await rest.room(ROOM);
    bobToken = await rest.member(ROOM, admin, 'machine-b');
    await rest.agent(ROOM, admin, 'alice');
    await rest.agent(ROOM, bobToken, 'bob');
  });

  test('GET events?after=N&wait=5 answers within about a second of a new event', async () => {
    const head = await rest.head(ROOM, admin);
    const started = Date.now();
    const poll = rest.call('GET', `/v1/rooms/${ROOM}/events?after=${head}&wait=5`, admin);
    // Give the request time to start waiting: an event written later must wake it.
    await new Promise((r) => setTimeout(r, 300));
    const written = await rest.note(ROOM, admin, 'wake up');
    const wroteAt = Date.now();
    const page = await poll;
    const answeredAt = Date.now();
    assert.deepEqual(
      page.events.map((e: RoomEvent) => e.seq),
      [written.event.seq],
    );
    assert.equal(page.next_after, written.event.seq);
    assert.ok(answeredAt - wroteAt < 1000, `answered ${answeredAt - wroteAt} ms after the event`);
    assert.ok(answeredAt - started >= 300, 'it waited for the event');
  });

  test('GET events?wait=1 with nothing new answers empty after the wait', async () => {
    const head = await rest.head(ROOM, admin);
    const started = Date.now();
    const page = await rest.call('GET', `/v1/rooms/${ROOM}/events?after=${head}&wait=1`, admin);
    const took = Date.now() - started;
    assert.deepEqual(page.events, []);
    assert.equal(page.next_after, head);
    assert.equal(page.has_more, false);
    assert.ok(took >= 950 && took < 3000, `took ${took} ms`);
  });

  test('GET inbox?wait=5 answers soon after a message arrives, not on other events', async () => {
    await rest.call('POST', `/v1/rooms/${ROOM}/agents/bob/inbox/ack`, bobToken, { all: true });
    const started = Date.now();
    const poll = rest.call('GET', `/v1/rooms/${ROOM}/agents/bob/inbox?wait=5`, bobToken);
    await new Promise((r) => setTimeout(r, 200));
    // An event that is not a message to bob does not end the wait.
    await rest.note(ROOM, admin, 'not for bob');
    await new Promise((r) => setTimeout(r, 200));
    const sent = await rest.send(ROOM, admin, 'alice', 'bob', 'wake bob');
    const sentAt = Date.now();
    const { messages } = await poll;
    const answeredAt = Date.now();
    assert.deepEqual(
      messages.map((m: { message: Message }) => m.message.id),
      [sent.message.id],
    );
    assert.ok(answeredAt - sentAt < 1000, `answered ${answeredAt - sentAt} ms after the message`);
    assert.ok(answeredAt - started >= 400);
  });

  test('GET inbox?wait=1 with nothing unread answers empty after the wait', async () => {
    await rest.call('POST', `/v1/rooms/${ROOM}/agents/bob/inbox/ack`, bobToken, { all: true });
    const started = Date.now();
    const { messages } = await rest.call(
      'GET',
      `/v1/rooms/${ROOM}/agents/bob/inbox?wait=1`,
      bobToken,
    );
    const took = Date.now() - started;
    assert.deepEqual(messages, []);
    assert.ok(took >= 950 && took < 3000, `took ${took} ms`);
  });
});
