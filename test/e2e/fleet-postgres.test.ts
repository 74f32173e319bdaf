// Two `huddle serve` processes on one PostgreSQL database: any hub serves any room, events written
// through one reach followers on the other, claims have one winner, presence and revocation hold
// across hubs, a follower resumes on the other hub by cursor, and a dropped LISTEN connection
// delays delivery by about a second at most.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import type { RoomEvent } from '../../src/core/types.js';
import { RELAXED_LIMITS, spawnHub, type ChildHub } from '../helpers/hub.js';
import { dropSchema, freshSchema, postgresSkip, TEST_PG_URL } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openPeer, type Frame, type WsPeer } from '../helpers/ws-peer.js';

const skip = await postgresSkip();
const ROOM = 'fleet';

/** A stream connection to `hub` following ROOM from `after`, optionally speaking for `agent`. */
async function follow(hub: ChildHub, token: string, afterSeq = 0, agent?: string) {
  const peer = await openPeer(`${hub.url.replace(/^http/, 'ws')}/v1/stream`, {
    headers: { authorization: `Bearer ${token}` },
  });
  peer.ws.send(JSON.stringify({ type: 'subscribe', room: ROOM, after: afterSeq, agent }));
  return peer;
}
const events = (peer: WsPeer, from = 0) =>
  peer.frames
    .slice(from)
    .filter((f) => f.type === 'event')
    .map((f) => f.event as RoomEvent);
const isEvent = (match: (e: RoomEvent) => boolean) => (f: Frame) =>
  f.type === 'event' && match(f.event as RoomEvent);

describe('two hubs on one PostgreSQL database', { skip }, () => {
  const schema = freshSchema('huddle_fleet');
  const store = `${TEST_PG_URL}?schema=${schema}`;
  const homes = [tempDir(), tempDir()];
  let a: ChildHub;
  let b: ChildHub;
  let viaA: HubClient; // the room's admin, on hub A
  let viaB: HubClient; // a second device, joined through hub B
  let tokenB: string;
  let tokenA: string; // the admin's, whose member registered alice
  let memberB: string;
  let admin: pg.Client;

  before(async () => {
    // Both start at once: migrations must be safe when several hubs start together.
    [a, b] = (await Promise.all(
      homes.map((home) => spawnHub(home.path, { HUDDLE_STORE: store })),
    )) as [ChildHub, ChildHub];
    const created = await createHubClient({ url: a.url }).createRoom({
      name: ROOM,
      label: 'laptop',
    });
    tokenA = created.token;
    viaA = createHubClient({ url: a.url, token: tokenA });
    const { code } = await viaA.createCode(ROOM, { scopes: ['read', 'write'] });
    const joined = await createHubClient({ url: b.url }).join({ code, label: 'desktop' });
    tokenB = joined.token;
    memberB = joined.member.id;
    viaB = createHubClient({ url: b.url, token: tokenB });
    await viaA.registerAgent(ROOM, { name: 'alice', client: 'claude-code' });
    await viaB.registerAgent(ROOM, { name: 'bob', client: 'codex' });
    admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await Promise.all([a?.stop(), b?.stop()]);
    for (const home of homes) home.remove();
    await dropSchema(schema);
  });

  test('a message sent through hub A reaches its recipient following on hub B, live', async () => {
    const bob = await follow(b, tokenB, 0, 'bob');
    try {
      await bob.until((f) => f.type === 'subscribed');
      const { message } = await viaA.send(ROOM, 'alice', {
        to: 'bob',
        kind: 'chat',
        body: 'hello from A',
      });
      const got = await bob.until(
        isEvent(
          (e) => e.type === 'message' && (e.body.message as { id: string }).id === message.id,
        ),
      );
      assert.equal(
        ((got!.event as RoomEvent).body.message as { body: string }).body,
        'hello from A',
      );
      // Delivery is recorded through hub B, and hub A reports it.
      for (let i = 0; i < 50; i++) {
        const receipts = await viaA.receipts(ROOM, message.id);
        if (receipts.receipts[0]?.delivered_at) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail('the delivered receipt never showed on hub A');
    } finally {
      await bob.close();
    }
  });

  test("a follower on B sees A's events in order, none missing, none twice", async () => {
    const head = (await viaB.read(ROOM, 1)).events.at(-1)!.seq;
    const peer = await follow(b, tokenB, head);
    try {
      await peer.until((f) => f.type === 'subscribed');
      // Written through both hubs at once: the log of the room has one order, and B follows it.
      await Promise.all([
        ...Array.from({ length: 100 }, (_, i) => viaA.writeNote(ROOM, `a${i}`)),
        ...Array.from({ length: 100 }, (_, i) => viaB.writeNote(ROOM, `b${i}`)),
      ]);
      // Other events may come between (presence, receipts): every seq once, in order, no gap.
      const notes = () => events(peer).filter((e) => e.type === 'note');
      for (let waited = 0; notes().length < 200 && waited < 100; waited++)
        await new Promise((r) => setTimeout(r, 100));
      const seqs = events(peer).map((e) => e.seq);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => head + 1 + i),
      );
      assert.equal(new Set(notes().map((e) => e.body.text)).size, 200);
    } finally {
      await peer.close();
    }
  });

  test('claims through both hubs at once: exactly one winner per task', async () => {
    const tasks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => viaA.addTask(ROOM, 'alice', { title: `task ${i}` })),
    );
    const outcomes = await Promise.all(
      tasks.flatMap(({ task }) => [
        viaA.taskStep(ROOM, 'alice', task.id, 'claim').then(
          () => 'alice',
          () => null,
        ),
        viaB.taskStep(ROOM, 'bob', task.id, 'claim').then(
          () => 'bob',
          () => null,
        ),
      ]),
    );
    for (let i = 0; i < tasks.length; i++) {
      const winners = outcomes.slice(2 * i, 2 * i + 2).filter((w) => w !== null);
      assert.equal(winners.length, 1, `task ${i}: ${JSON.stringify(winners)}`);
      const stored = await viaB.task(ROOM, tasks[i]!.task.id);
      assert.equal(stored.task.assignee, winners[0]);
    }
  });

  test('an agent connected to both hubs stays online when its connection to A closes', async () => {
    const onA = await follow(a, tokenA, 0, 'alice');
    const onB = await follow(b, tokenA, 0, 'alice');
    try {
      await Promise.all([
        onA.until((f) => f.type === 'subscribed'),
        onB.until((f) => f.type === 'subscribed'),
      ]);
      await onA.close();
      await new Promise((r) => setTimeout(r, 500));
      const alice = (await viaB.agents(ROOM)).agents.find((x) => x.name === 'alice')!;
      assert.notEqual(alice.status, 'offline', 'still connected through hub B');
    } finally {
      await onB.close();
    }
  });

  test('a follower of hub A resumes on hub B by cursor when A stops, and misses nothing', async () => {
    const start = (await viaB.read(ROOM, 1)).events.at(-1)!.seq;
    const onA = await follow(a, tokenA, start);
    await onA.until((f) => f.type === 'subscribed');
    await Promise.all(Array.from({ length: 20 }, (_, i) => viaB.writeNote(ROOM, `before ${i}`)));
    await onA.until(isEvent((e) => e.seq === start + 20));
    const stopped = a.stop('SIGKILL');
    // Writes go on through B while A is gone.
    await Promise.all(Array.from({ length: 20 }, (_, i) => viaB.writeNote(ROOM, `after ${i}`)));
    await stopped;
    await onA.until(() => false, 0, 3000).catch(() => null); // until its close is seen
    const seen = events(onA).map((e) => e.seq);
    const cursor = seen.at(-1)!;
    const onB = await follow(b, tokenA, cursor);
    try {
      const notes = () =>
        [...events(onA), ...events(onB)].filter((e) => e.type === 'note' && e.seq > start);
      for (let waited = 0; notes().length < 40 && waited < 100; waited++)
        await new Promise((r) => setTimeout(r, 100));
      // Every event once, in order, no gap: those seen through A, then those through B.
      const all = [...seen, ...events(onB).map((e) => e.seq)];
      assert.deepEqual(
        all,
        Array.from({ length: all.length }, (_, i) => start + 1 + i),
      );
      assert.equal(notes().length, 40);
    } finally {
      await onB.close();
      a = await spawnHub(homes[0]!.path, { HUDDLE_STORE: store });
      viaA = createHubClient({ url: a.url, token: tokenA });
    }
  });

  test('with its LISTEN connection killed, hub B still delivers within about a second', async () => {
    const peer = await follow(b, tokenB);
    try {
      await peer.until((f) => f.type === 'subscribed');
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'huddle-bus-listen' AND datname = current_database()`,
      );
      const { event } = await viaA.writeNote(ROOM, 'after the cut');
      const startedAt = Date.now();
      await peer.until(
        isEvent((e) => e.seq === event.seq),
        0,
        5000,
      );
      assert.ok(Date.now() - startedAt < 2500, `delivered after ${Date.now() - startedAt} ms`);
    } finally {
      await peer.close();
    }
  });

  test('revoking a device through hub A closes its live connection on hub B within 2 s', async () => {
    const peer = await follow(b, tokenB);
    await peer.until((f) => f.type === 'subscribed');
    const startedAt = Date.now();
    await viaA.revoke(ROOM, memberB);
    await peer.until(() => false, 0, 3000).catch(() => null);
    assert.ok(peer.closed, 'the connection on hub B was closed');
    assert.equal(peer.closed!.code, 4001);
    assert.ok(Date.now() - startedAt < 2500);
  });
});

describe('two hubs on one PostgreSQL database share the limits on strangers', { skip }, () => {
  const schema = freshSchema('huddle_fleet_limits');
  const homes = [tempDir(), tempDir()];
  let hubs: ChildHub[] = [];
  before(async () => {
    const limits = JSON.parse(RELAXED_LIMITS) as Record<string, unknown>;
    limits.join = { burst: 4, refill: 1, period_seconds: 3600 };
    const env = {
      HUDDLE_STORE: `${TEST_PG_URL}?schema=${schema}`,
      HUDDLE_RATE_LIMITS: JSON.stringify(limits),
    };
    hubs.push(await spawnHub(homes[0]!.path, env));
    hubs.push(await spawnHub(homes[1]!.path, env));
  });
  after(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
    for (const home of homes) home.remove();
    await dropSchema(schema);
  });

  test('pair codes guessed through both hubs meet one limit per address', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const hub = hubs[i % 2]!;
      const refused = await createHubClient({ url: hub.url })
        .join({ code: 'ABCD-EFGH', label: 'guess' })
        .then(
          () => 'joined',
          (err: { code?: string }) => err.code ?? 'unknown',
        );
      codes.push(refused);
    }
    // Four tries in all, not four per hub.
    assert.deepEqual(codes.slice(0, 4), Array(4).fill('code_not_found'));
    assert.equal(codes[4], 'rate_limited');
  });
});
