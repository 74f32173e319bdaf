// A soak of a `huddle serve` child: 100 agents in 10 rooms, each on its own stream connection and
// member token, send messages to each other, follow their room, report messages injected, and
// reconnect from their cursor now and then, for HUDDLE_SOAK_MINUTES (10 by default). Every 10 s
// the hub's RSS, open descriptors (/proc/<pid>/fd) and WAL size are sampled; after a warm-up
// (a fifth of the run, at least 20 s) they must stay bounded:
//   - descriptors: never more than 20 above the count at the end of the warm-up;
//   - RSS: never more than 64 MiB above the end of the warm-up, and the last third's mean no
//     more than 16 MiB above the middle third's (a slow leak shows as a slope);
//   - WAL: never over twice its limit (HUDDLE_WAL_LIMIT_BYTES, set to 16 MiB here; sampled
//     every second).
// And nothing is lost on the way: every send acknowledged (cut-off ones retried with their key),
// each room's log dense with one message per key, every subscriber's seqs without gap or repeat.
//
// Runs only with HUDDLE_SOAK=1. HUDDLE_SOAK_MINUTES may be fractional; HUDDLE_SOAK_RATE is the
// messages per second each agent sends (default 2).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import { auditLog, keyOf, messagesOf, randomInt, readLog } from '../helpers/event-log.js';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import {
  SendFailed,
  openSender,
  type SendItem,
  type StreamSender,
} from '../helpers/stream-sender.js';
import { tempDir } from '../helpers/temp-dir.js';

const SOAK = process.env.HUDDLE_SOAK === '1';
const MINUTES = Number(process.env.HUDDLE_SOAK_MINUTES ?? 10);
const RATE = Number(process.env.HUDDLE_SOAK_RATE ?? 2);
const ROOMS = 10;
const AGENTS_PER_ROOM = 10;
const SAMPLE_MS = 10_000;
const MiB = 1024 * 1024;
const WAL_LIMIT = 16 * MiB;

const dir = tempDir();
const hubs: ChildHub[] = [];
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  dir.remove();
});

interface Sample {
  at: number;
  rss: number;
  fds: number;
  wal: number;
}

function sample(pid: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  return { at: Date.now(), rss, fds: readdirSync(`/proc/${pid}/fd`).length, wal: walSize() };
}

function walSize(): number {
  try {
    return statSync(join(dir.path, 'huddle.db-wal')).size;
  } catch {
    return 0;
  }
}

/** One agent: a connection that follows its room bound to the agent and sends as it. */
class SoakAgent {
  lastSeq = 0;
  problems: string[] = [];
  acked = new Map<string, string>();
  sent = 0;
  reconnects = 0;
  skipped = 0;
  private sender: StreamSender | undefined;
  private inDoubt: SendItem[] = [];
  private toInject: string[] = [];
  private outstanding = new Set<Promise<void>>();
  private generation = 0;

  constructor(
    readonly url: string,
    readonly room: string,
    readonly name: string,
    readonly token: string,
    readonly others: string[],
  ) {}

  async connect(): Promise<void> {
    const generation = ++this.generation;
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    this.sender = await openSender(this.url, this.token, 16, (frame) => {
      if (generation !== this.generation) return;
      if (frame.type === 'subscribed') subscribed();
      else if (frame.type === 'event')
        this.take(frame.event as { seq: number; type: string; body: any });
      else if (frame.type === 'error' && !String(frame.ref).startsWith('r'))
        this.problems.push(`error frame ${String(frame.code)}`);
    });
    void this.sender.ended.then((code) => {
      if (generation === this.generation) this.problems.push(`closed by the hub with ${code}`);
    });
    this.sender.frame({
      type: 'subscribe',
      room: this.room,
      agent: this.name,
      after: this.lastSeq,
      ref: 'sub',
    });
    await ready;
    // What the last connection left unanswered goes again, with its key.
    const again = this.inDoubt;
    this.inDoubt = [];
    for (const item of again) this.send(item);
  }

  /** Drops the connection (as a lost network would) and resumes from the cursor. */
  async reconnect(): Promise<void> {
    this.generation++;
    this.reconnects++;
    const old = this.sender!;
    old.terminate();
    await old.ended;
    await this.connect();
  }

  sendNext(): void {
    // An agent does not pile sends onto a hub that stalls: past 16 in flight it skips a turn.
    if ((this.sender?.outstanding ?? 0) >= 16) {
      this.skipped++;
      return;
    }
    const key = `${this.name}.${this.sent++}`;
    const to = this.others[randomInt(0, this.others.length - 1)]!;
    this.send({ room: this.room, agent: this.name, to, key, body: `${key} ${'s'.repeat(200)}` });
  }

  injectNow(): void {
    if (this.toInject.length === 0 || !this.sender?.isOpen) return;
    const ids = this.toInject.splice(0, 1000);
    this.sender.frame({ type: 'injected', room: this.room, agent: this.name, ids, ref: 'inj' });
  }

  /** Resolves once every send made so far was answered or retried. */
  async settle(): Promise<void> {
    while (this.outstanding.size > 0 || this.inDoubt.length > 0) {
      await Promise.all(this.outstanding);
      if (this.inDoubt.length > 0) await this.reconnect();
    }
  }

  close(): void {
    this.generation++;
    this.sender?.close();
  }

  private send(item: SendItem): void {
    const sender = this.sender!;
    const p: Promise<void> = sender.send(item).then(
      (m) => {
        const first = this.acked.get(item.key);
        if (first !== undefined && first !== m.id) this.problems.push(`${item.key} answered anew`);
        this.acked.set(item.key, m.id);
      },
      (err: SendFailed) => {
        if (err.code === 'connection_lost') this.inDoubt.push(item);
        else this.problems.push(`send refused: ${err.code}`);
      },
    );
    const tracked = p.finally(() => this.outstanding.delete(tracked));
    this.outstanding.add(tracked);
  }

  private take(event: { seq: number; type: string; body: any }) {
    if (event.seq !== this.lastSeq + 1)
      this.problems.push(`seq ${event.seq} after ${this.lastSeq}`);
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    if (event.type === 'message' && event.body.message.recipients.includes(this.name))
      this.toInject.push(event.body.message.id as string);
  }
}

test(
  `soak: ${ROOMS * AGENTS_PER_ROOM} agents for ${MINUTES} minutes, the hub's memory, descriptors and WAL stay bounded`,
  {
    skip: SOAK ? false : 'the soak runs only with HUDDLE_SOAK=1 (HUDDLE_SOAK_MINUTES, default 10)',
    timeout: MINUTES * 60_000 + 300_000,
  },
  async (t) => {
    const hub = await spawnHub(dir.path, { HUDDLE_WAL_LIMIT_BYTES: String(WAL_LIMIT) });
    hubs.push(hub);
    const pid = hub.child.pid!;
    const agents: SoakAgent[] = [];
    const adminTokens = new Map<string, string>();
    for (let r = 0; r < ROOMS; r++) {
      const room = `soak-${r}`;
      const { token } = await createHubClient({ url: hub.url }).createRoom({
        name: room,
        label: 'admin',
      });
      adminTokens.set(room, token);
      const admin = createHubClient({ url: hub.url, token });
      const names = Array.from({ length: AGENTS_PER_ROOM }, (_, a) => `agent-${a}`);
      for (const name of names) {
        // Each agent is its own member, with its own token, as on its own machine.
        const { code } = await admin.createCode(room);
        const joined = await createHubClient({ url: hub.url }).join({ code, label: name });
        await createHubClient({ url: hub.url, token: joined.token }).registerAgent(room, { name });
        agents.push(
          new SoakAgent(
            hub.url,
            room,
            name,
            joined.token,
            names.filter((n) => n !== name),
          ),
        );
      }
    }
    await Promise.all(agents.map((a) => a.connect()));

    const started = Date.now();
    const end = started + MINUTES * 60_000;
    const warmUp = Math.max(20_000, MINUTES * 60_000 * 0.2);
    const samples: Sample[] = [sample(pid)];
    let walPeak = 0;
    const timers = [
      setInterval(() => samples.push(sample(pid)), SAMPLE_MS),
      setInterval(() => (walPeak = Math.max(walPeak, walSize())), 1000),
      setInterval(() => agents.forEach((a) => a.injectNow()), 2000),
    ];
    // Each agent sends at RATE a second, with its own phase so the load is smooth.
    for (const a of agents) {
      const every = 1000 / RATE;
      const start = setTimeout(
        () => timers.push(setInterval(() => a.sendNext(), every)),
        randomInt(0, every),
      );
      timers.push(start);
    }
    // Churn: every few seconds a random agent drops its connection and resumes.
    let churn = Promise.resolve();
    timers.push(
      setInterval(() => {
        const a = agents[randomInt(0, agents.length - 1)]!;
        churn = churn
          .then(() => a.reconnect())
          .catch((err: Error) => void a.problems.push(`reconnect failed: ${err.message}`));
      }, 3000),
    );
    // A reader over REST, as the cockpit or a hook would be.
    const readerProblems: string[] = [];
    timers.push(
      setInterval(() => {
        const room = `soak-${randomInt(0, ROOMS - 1)}`;
        fetch(`${hub.url}/v1/rooms/${room}/events?limit=50`, {
          headers: { authorization: `Bearer ${adminTokens.get(room)!}` },
        })
          .then(async (res) => {
            await res.arrayBuffer();
            if (res.status !== 200) readerProblems.push(`GET events: ${res.status}`);
          })
          .catch((err: Error) => void readerProblems.push(`GET events: ${err.message}`));
      }, 500),
    );

    await new Promise((resolve) => setTimeout(resolve, end - Date.now()));
    for (const timer of timers) clearInterval(timer);
    await churn;
    samples.push(sample(pid));
    for (const a of agents) await a.settle();

    const problems = [
      ...readerProblems,
      ...agents.flatMap((a) => a.problems.map((p) => `${a.room}/${a.name}: ${p}`)),
    ];
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);
    let messages = 0;
    for (const [room, token] of adminTokens) {
      const mine = agents.filter((a) => a.room === room);
      const events = await readLog(hub.url, room, token);
      assert.deepEqual(auditLog(events, { keyOf }), [], `room ${room}`);
      const logged = new Map(messagesOf(events).map((m) => [keyOf(m.body), m.id]));
      for (const a of mine) {
        assert.equal(a.acked.size, a.sent, `${a.name} in ${room}: every send acknowledged`);
        for (const [key, id] of a.acked)
          assert.equal(logged.get(key), id, `${key} as acknowledged`);
      }
      messages += logged.size;
    }

    const steady = samples.filter((s) => s.at - started >= warmUp);
    const base = steady[0]!;
    const third = Math.max(1, Math.floor(steady.length / 3));
    const mean = (xs: Sample[]) => xs.reduce((n, s) => n + s.rss, 0) / xs.length;
    const middle = mean(steady.slice(third, 2 * third));
    const last = mean(steady.slice(-third));
    const fmt = (s: Sample) =>
      `${(s.rss / MiB).toFixed(0)} MiB/${s.fds} fds/${(s.wal / MiB).toFixed(1)} MiB WAL`;
    const range = (pick: (s: Sample) => number) =>
      `${Math.min(...steady.map(pick))}-${Math.max(...steady.map(pick))}`;
    t.diagnostic(
      `${messages} messages, ${agents.reduce((n, a) => n + a.reconnects, 0)} reconnections, ` +
        `${agents.reduce((n, a) => n + a.skipped, 0)} turns skipped with 16 sends in flight; ` +
        `start ${fmt(samples[0]!)}, after the warm-up ${fmt(base)}, end ${fmt(samples.at(-1)!)}; ` +
        `after the warm-up RSS ${range((s) => Math.round(s.rss / MiB))} MiB, ` +
        `fds ${range((s) => s.fds)}, WAL peak ${(walPeak / MiB).toFixed(1)} MiB`,
    );
    for (const s of steady) {
      assert.ok(s.fds <= base.fds + 20, `descriptors ${s.fds}, from ${base.fds} after the warm-up`);
      assert.ok(s.rss <= base.rss + 64 * MiB, `RSS ${fmt(s)}, from ${fmt(base)} after the warm-up`);
    }
    assert.ok(
      last <= middle + 16 * MiB,
      `RSS mean ${(last / MiB).toFixed(0)} MiB in the last third, ${(middle / MiB).toFixed(0)} MiB in the middle one`,
    );
    assert.ok(walPeak <= 2 * WAL_LIMIT, `WAL peak ${walPeak} bytes, limit ${WAL_LIMIT}`);

    for (const a of agents) a.close();
    assert.equal(await hub.stop('SIGTERM'), 0);
  },
);
