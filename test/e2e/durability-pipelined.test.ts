// Acknowledged means durable, under pipelined stream sends: a `huddle serve` child is killed with
// SIGKILL at a random moment, again and again on one HUDDLE_HOME, while several connections each
// keep up to 64 `send` frames in flight. After every restart: each acknowledged message is in its
// room's log as it was acknowledged, seqs are dense, no idempotency key was applied twice, and
// sending an acknowledged (or cut-off) key again answers the stored message and appends nothing.
//
// 20 cycles in CI; HUDDLE_LONG_TESTS=1 runs 100, with more connections per room.
// HUDDLE_STREAM_WINDOW sets the sends in flight per connection (300 by default: past the 256 at which the hub stops reading).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Message } from '../../src/core/types.js';
import { auditLog, keyOf, messagesOf, randomInt, readLog } from '../helpers/event-log.js';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import { openSender, pump, type SendItem } from '../helpers/stream-sender.js';
import { tempDir } from '../helpers/temp-dir.js';

const LONG = process.env.HUDDLE_LONG_TESTS === '1';
const CYCLES = LONG ? 100 : 20;
const CONNECTIONS_PER_ROOM = LONG ? 3 : 2;
/** Sends in flight per connection; the gateway allows 64 waiting frames today. */
const WINDOW = Number(process.env.HUDDLE_STREAM_WINDOW ?? 300);
const ROOMS = ['crash-a', 'crash-b'];

const dir = tempDir();
const hubs: ChildHub[] = [];
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  dir.remove();
});

async function start(): Promise<ChildHub> {
  const hub = await spawnHub(dir.path);
  hubs.push(hub);
  return hub;
}

const pad = 'x'.repeat(120);

function* endless(room: string, cycle: number, conn: number): Generator<SendItem> {
  for (let i = 0; ; i++) {
    const key = `c${cycle}.${room}.${conn}.${i}`;
    yield { room, agent: 'writer', to: 'reader', key, body: `${key} ${pad}` };
  }
}

test(
  `kill -9 at random moments under pipelined sends, ${CYCLES} cycles: nothing acknowledged lost, no key twice`,
  { timeout: LONG ? 600_000 : 120_000 },
  async (t) => {
    const startedAt = Date.now();
    let hub = await start();
    const tokens = new Map<string, string>();
    for (const room of ROOMS) {
      const { token } = await createHubClient({ url: hub.url }).createRoom({
        name: room,
        label: 'admin',
      });
      const client = createHubClient({ url: hub.url, token });
      await client.registerAgent(room, { name: 'writer' });
      await client.registerAgent(room, { name: 'reader' });
      tokens.set(room, token);
    }

    /** Every acknowledged message, by key: what the hub promised. */
    const acked = new Map<string, Message>();
    /** Each room's log has been checked up to this seq. */
    const verified = new Map(ROOMS.map((r) => [r, 0]));
    /** Keys whose message was seen in a log, with its id. */
    const stored = new Map<string, string>();
    let inDoubt: SendItem[] = [];
    let lastAcked: Message[] = [];
    const stats = { kills: 0, cutOff: 0, ackedAtKill: [] as number[], retried: 0, rewritten: 0 };

    /** Reads what each room logged since the last check and checks it. */
    async function verifyNew() {
      for (const room of ROOMS) {
        const from = verified.get(room)!;
        const events = await readLog(hub.url, room, tokens.get(room)!, from);
        const problems = auditLog(events, {
          after: from,
          acked: [...acked.values()].filter((m) => m.room === room),
          keyOf,
        });
        for (const m of messagesOf(events)) {
          const key = keyOf(m.body);
          if (stored.has(key)) problems.push(`key ${key} stored again after an earlier check`);
          stored.set(key, m.id);
        }
        assert.deepEqual(problems, [], `room ${room} after restart ${stats.kills}`);
        if (events.length > 0) verified.set(room, events.at(-1)!.seq);
      }
    }

    /**
     * Sends again every key cut off by the last kill and a sample of the acknowledged ones: each
     * acknowledged or already stored key answers its first message; the others are written once.
     */
    async function retry() {
      const sample = lastAcked.sort(() => Math.random() - 0.5).slice(0, 64);
      const items: SendItem[] = [
        ...inDoubt,
        ...sample.map((m) => ({
          room: m.room,
          agent: 'writer',
          to: 'reader',
          key: keyOf(m.body),
          body: m.body,
        })),
      ];
      const expectNew = new Map(ROOMS.map((r) => [r, 0]));
      for (const room of ROOMS) {
        const mine = items.filter((i) => i.room === room);
        if (mine.length === 0) continue;
        const sender = await openSender(hub.url, tokens.get(room)!, WINDOW);
        const result = await pump(sender, mine);
        sender.close();
        assert.deepEqual(
          result.refused.map((r) => r.code),
          [],
          'retries are answered, not refused',
        );
        assert.equal(
          result.acked.size,
          new Set(mine.map((i) => i.key)).size,
          'every retry answered',
        );
        assert.equal(sender.outOfOrder, 0, 'answers come in the order of their frames');
        for (const [key, message] of result.acked) {
          const first = acked.get(key)?.id ?? stored.get(key);
          if (first !== undefined) assert.equal(message.id, first, `key ${key} answered anew`);
          else {
            expectNew.set(room, expectNew.get(room)! + 1);
            acked.set(key, message);
          }
        }
        stats.retried += mine.length;
      }
      // Replays append nothing; keys that never made it before the kill append one message each.
      for (const room of ROOMS) {
        const from = verified.get(room)!;
        const events = await readLog(hub.url, room, tokens.get(room)!, from);
        assert.equal(
          messagesOf(events).length,
          expectNew.get(room),
          `room ${room}: the retries appended only the keys that were never stored`,
        );
        stats.rewritten += expectNew.get(room)!;
      }
      await verifyNew();
      inDoubt = [];
    }

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await verifyNew();
      await retry();

      const rooms = ROOMS.flatMap((room) => Array(CONNECTIONS_PER_ROOM).fill(room) as string[]);
      const senders = await Promise.all(
        rooms.map((room) => openSender(hub.url, tokens.get(room)!, WINDOW)),
      );
      // The random moment: a random number of acknowledgements or a random time, whichever is
      // first, so some kills land before the first commit and some deep into the load.
      const ackLimit = randomInt(0, 1500);
      let ackCount = 0;
      let inFlightAtKill = -1;
      const victim = hub;
      const kill = () => {
        if (inFlightAtKill >= 0) return;
        inFlightAtKill = senders.reduce((n, s) => n + s.outstanding, 0);
        stats.ackedAtKill.push(ackCount);
        victim.child.kill('SIGKILL');
      };
      const timer = setTimeout(kill, randomInt(0, 300));
      const results = await Promise.all(
        senders.map((s, i) =>
          pump(s, endless(rooms[i]!, cycle, i), () => {
            if (++ackCount >= ackLimit) kill();
          }),
        ),
      );
      clearTimeout(timer);
      // Every connection ended because the hub died (1006), none was shed before (4008).
      assert.deepEqual(
        await Promise.all(senders.map((s) => s.ended)),
        senders.map(() => 1006),
        `cycle ${cycle}: how the connections ended`,
      );
      await victim.stop();
      assert.equal(victim.child.signalCode, 'SIGKILL', `cycle ${cycle}: the hub died of the kill`);
      stats.kills++;
      if (inFlightAtKill > 0) stats.cutOff++;
      lastAcked = [];
      for (const r of results) {
        assert.deepEqual(
          r.refused.map((f) => f.code),
          [],
          'no send is refused under load',
        );
        for (const [key, m] of r.acked) acked.set(key, m);
        lastAcked.push(...r.acked.values());
        inDoubt.push(...r.inDoubt);
      }
      for (const s of senders) assert.equal(s.outOfOrder, 0, 'answers come in frame order');
      hub = await start();
    }

    await verifyNew();
    await retry();
    // Finally the whole of each log, from seq 1, against everything ever acknowledged.
    for (const room of ROOMS) {
      const events = await readLog(hub.url, room, tokens.get(room)!);
      const problems = auditLog(events, {
        acked: [...acked.values()].filter((m) => m.room === room),
        keyOf,
      });
      assert.deepEqual(problems, [], `room ${room}, whole log`);
    }
    assert.equal(await hub.stop('SIGTERM'), 0);

    // The test proves something only if kills cut sends off mid-flight, many times.
    assert.ok(
      stats.cutOff >= CYCLES / 2,
      `sends were in flight at ${stats.cutOff} of ${CYCLES} kills`,
    );
    assert.ok(acked.size >= CYCLES * 50, `${acked.size} acknowledged sends`);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    t.diagnostic(
      `${CYCLES} kills in ${seconds} s: ${acked.size} sends acknowledged, ${stats.cutOff} kills with sends in flight, ` +
        `${stats.retried} retried (${stats.rewritten} written for the first time), ` +
        `acks before a kill: median ${stats.ackedAtKill.sort((a, b) => a - b)[stats.ackedAtKill.length >> 1]}`,
    );
  },
);
