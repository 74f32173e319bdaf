// A reconnect storm: 1,000 stream subscribers of one room are cut in waves (up to all of them at
// once) while messages keep coming, and each reconnects at once and subscribes again with
// after=<the last seq it saw>. Some stay away long enough that their backlog is no longer in the
// hub's memory (256 events a room) and comes from the store, while live events keep arriving.
// Every subscriber must see every event exactly once, in order: each event frame's seq is the one
// after the last, across every reconnection.
//
// HUDDLE_LONG_TESTS=1 runs more waves over a longer stream of messages.

import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { createHubClient } from '../../src/client/hub-client.js';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import { openSender, pump, type SendItem } from '../helpers/stream-sender.js';
import { tempDir } from '../helpers/temp-dir.js';
import { randomInt } from '../helpers/event-log.js';

const LONG = process.env.HUDDLE_LONG_TESTS === '1';
const SUBSCRIBERS = 1000;
/** Subscribers bound to an agent: their reconnections also write presence events. */
const BOUND = 10;
const WAVES = LONG ? 30 : 6;
const ROOM = 'herd';

const dir = tempDir();
const hubs: ChildHub[] = [];
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  dir.remove();
});

/** The start of an event frame as the hub encodes it, up to the event's seq. */
const EVENT_HEAD = /^\{"type":"event","event":\{"room":"[^"]*","seq":(\d+),/;

/** One subscriber that checks, frame by frame, that seqs follow each other without a gap. */
class Subscriber {
  lastSeq = 0;
  received = 0;
  reconnects = 0;
  problems: string[] = [];
  private ws: WebSocket | undefined;
  private generation = 0;
  private onSubscribed: (() => void) | undefined;
  private waitingFor: { seq: number; resolve: () => void } | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly agent: string | undefined,
  ) {}

  /** Opens a new connection and resolves once it is subscribed from the last seq seen. */
  connect(): Promise<void> {
    const generation = ++this.generation;
    const ws = new WebSocket(this.url.replace(/^http/, 'ws') + '/v1/stream', {
      headers: { authorization: `Bearer ${this.token}` },
    });
    this.ws = ws;
    ws.on('error', () => {});
    ws.on('message', (data) => {
      // Frames of a connection this subscriber already dropped are not its concern.
      if (generation !== this.generation) return;
      const text = data.toString();
      // A million event frames are parsed here, more than the hub itself encodes: read the seq
      // of the usual event frame straight from its head, and parse anything else.
      const head = EVENT_HEAD.exec(text);
      if (head) return this.take(Number(head[1]));
      const frame = JSON.parse(text) as {
        type: string;
        event?: { seq: number };
        code?: string;
      };
      if (frame.type === 'subscribed') this.onSubscribed?.();
      else if (frame.type === 'event') this.take(frame.event!.seq);
      else this.problems.push(`unexpected ${frame.type} frame ${frame.code ?? ''}`);
    });
    ws.on('close', (code) => {
      if (generation === this.generation) this.problems.push(`closed by the hub with ${code}`);
    });
    return new Promise((resolve, reject) => {
      this.onSubscribed = resolve;
      ws.once('open', () =>
        ws.send(
          JSON.stringify({ type: 'subscribe', room: ROOM, after: this.lastSeq, agent: this.agent }),
        ),
      );
      ws.once('close', () => reject(new Error('closed before subscribing')));
    });
  }

  /** Cuts the connection as a lost network would. */
  drop(): void {
    this.generation++;
    this.ws!.terminate();
  }

  /** Cuts the connection and reconnects right away. */
  reconnect(): Promise<void> {
    this.drop();
    this.reconnects++;
    return this.connect();
  }

  /** Resolves once the subscriber has seen `seq`. */
  seen(seq: number): Promise<void> {
    if (this.lastSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => (this.waitingFor = { seq, resolve }));
  }

  close() {
    this.generation++;
    this.ws?.close();
  }

  private take(seq: number) {
    if (seq !== this.lastSeq + 1)
      this.problems.push(
        `seq ${seq} after ${this.lastSeq} (${seq <= this.lastSeq ? 'again' : 'gap'})`,
      );
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.received++;
    if (this.waitingFor && this.lastSeq >= this.waitingFor.seq) {
      this.waitingFor.resolve();
      this.waitingFor = undefined;
    }
  }
}

test(
  `${SUBSCRIBERS} subscribers reconnecting in ${WAVES} waves while messages flow see every event once, in order`,
  { timeout: LONG ? 600_000 : 90_000 },
  async (t) => {
    const startedAt = Date.now();
    const hub = await spawnHub(dir.path);
    hubs.push(hub);
    const { token } = await createHubClient({ url: hub.url }).createRoom({
      name: ROOM,
      label: 'admin',
    });
    const client = createHubClient({ url: hub.url, token });
    for (const name of ['writer', 'reader']) await client.registerAgent(ROOM, { name });
    for (let b = 0; b < BOUND; b++) await client.registerAgent(ROOM, { name: `watcher-${b}` });

    const subs = Array.from(
      { length: SUBSCRIBERS },
      (_, i) => new Subscriber(hub.url, token, i < BOUND ? `watcher-${i}` : undefined),
    );
    // Connect in slices, as real clients trickle in; the storm comes later.
    for (let i = 0; i < subs.length; i += 100)
      await Promise.all(subs.slice(i, i + 100).map((s) => s.connect()));
    const connectedAt = Date.now();

    // Messages keep coming, pipelined, for as long as the waves last: at most about 160 a second,
    // as each one costs 1,000 deliveries on a machine that also runs the test's 1,000 clients.
    let writing = true;
    let written = 0;
    let writerSeq = 0;
    let progress = () => {};
    const sender = await openSender(hub.url, token, 16);
    const writer = (async () => {
      for (let batch = 0; writing; batch++) {
        const items: SendItem[] = Array.from({ length: 4 }, (_, i) => {
          const key = `m${batch}.${i}`;
          return { room: ROOM, agent: 'writer', to: 'reader', key, body: `${key} to the herd` };
        });
        const result = await pump(sender, items, (m) => (writerSeq = Math.max(writerSeq, m.seq)));
        assert.equal(result.acked.size, items.length, 'the writer is never refused or cut');
        written += items.length;
        progress();
        await delay(25);
      }
    })();
    // Its failure is reported where it is awaited, after the waves.
    writer.catch(() => {});
    const writerPassed = (seq: number) =>
      new Promise<void>((resolve) => {
        progress = () => writerSeq >= seq && resolve();
        progress();
      });

    // The absent ones leave now and come back in the last wave, when more has happened in the
    // room than the hub keeps in memory.
    const absent = subs.filter((_, i) => i % 20 === 7);
    for (const s of absent) s.drop();
    const leftAt = Math.max(...absent.map((s) => s.lastSeq));
    const present = subs.filter((s) => !absent.includes(s));

    // The waves: a random share of the others (every one of them in the middle wave) is cut at
    // once and reconnects at once; the next wave comes once they are all back.
    for (let wave = 0; wave < WAVES; wave++) {
      const share = wave === Math.floor(WAVES / 2) ? 1 : randomInt(20, 80) / 100;
      const cut = present.filter(() => Math.random() < share);
      const back = cut.map((s) => s.reconnect());
      if (wave === WAVES - 1) {
        await writerPassed(leftAt + 300);
        back.push(...absent.map((s) => s.connect()));
      }
      await Promise.all(back);
      await delay(randomInt(20, 150));
    }
    writing = false;
    await writer;
    sender.close();

    // A last note marks the end: everyone must reach it, having seen each seq before it once.
    const { event: end } = await client.writeNote(ROOM, 'the end');
    const caughtUp = Promise.all(subs.map((s) => s.seen(end.seq)));
    const timeout = delay(30_000, 'timeout', { ref: false });
    if ((await Promise.race([caughtUp, timeout])) === 'timeout') {
      const behind = subs.filter((s) => s.lastSeq < end.seq);
      assert.fail(
        `${behind.length} subscribers never reached seq ${end.seq}, e.g. at ${behind[0]!.lastSeq}`,
      );
    }
    const problems = subs.flatMap((s, i) => s.problems.map((p) => `subscriber ${i}: ${p}`));
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
    for (const s of subs) assert.equal(s.received, s.lastSeq, 'each event received exactly once');
    const reconnects = subs.reduce((n, s) => n + s.reconnects, 0);
    assert.ok(reconnects >= SUBSCRIBERS * 2, `${reconnects} reconnections`);
    assert.ok(written >= 100, `${written} messages written during the storm`);

    for (const s of subs) s.close();
    assert.equal(await hub.stop('SIGTERM'), 0);
    t.diagnostic(
      `${SUBSCRIBERS} subscribers (connected in ${((connectedAt - startedAt) / 1000).toFixed(1)} s), ` +
        `${reconnects} reconnections in ${WAVES} waves, ${written} messages, ${end.seq} events each, ` +
        `${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`,
    );
  },
);
