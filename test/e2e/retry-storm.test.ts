// A blind-retry storm on the stream: connections are cut at random while they keep up to 64
// sends in flight, and every send that was not acknowledged is sent again, with its key, on a
// new connection. Two connections of each agent work through the same keys at once, in
// different orders, and now and then resend keys already acknowledged, as a client that lost
// track would. In the end each key's message is stored exactly once, and every answer for a key
// names that one message.
//
// HUDDLE_LONG_TESTS=1 runs more agents with more keys each; HUDDLE_STREAM_WINDOW sets the sends
// in flight per connection (300 by default: past the 256 at which the hub stops reading).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Message } from '../../src/core/types.js';
import { auditLog, keyOf, messagesOf, randomInt, readLog } from '../helpers/event-log.js';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import { openSender, pump, type SendItem } from '../helpers/stream-sender.js';
import { tempDir } from '../helpers/temp-dir.js';

const LONG = process.env.HUDDLE_LONG_TESTS === '1';
const AGENTS = LONG ? 8 : 4;
const KEYS_PER_AGENT = LONG ? 3000 : 500;
const WORKERS_PER_AGENT = 2;
/** Sends in flight per connection; the gateway allows 64 waiting frames today. */
const WINDOW = Number(process.env.HUDDLE_STREAM_WINDOW ?? 300);
const ROOM = 'storm';

const dir = tempDir();
const hubs: ChildHub[] = [];
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  dir.remove();
});

const shuffled = <T>(xs: T[]) => xs.sort(() => Math.random() - 0.5);

test(
  `a blind-retry storm over ${AGENTS * WORKERS_PER_AGENT} connections cut at random stores each key once`,
  { timeout: LONG ? 600_000 : 60_000 },
  async (t) => {
    const startedAt = Date.now();
    const hub = await spawnHub(dir.path);
    hubs.push(hub);
    const { token } = await createHubClient({ url: hub.url }).createRoom({
      name: ROOM,
      label: 'admin',
    });
    const client = createHubClient({ url: hub.url, token });
    await client.registerAgent(ROOM, { name: 'reader' });
    const agents = Array.from({ length: AGENTS }, (_, a) => `sender-${a}`);
    for (const name of agents) await client.registerAgent(ROOM, { name });

    /** The first answer for each key; every later answer must name the same message. */
    const answers = new Map<string, Message>();
    const conflicts: string[] = [];
    const refusals: string[] = [];
    const stats = { connections: 0, cut: 0, sends: 0, blind: 0, outOfOrder: 0 };
    const record = (key: string, message: Message) => {
      const first = answers.get(key);
      if (!first) answers.set(key, message);
      else if (first.id !== message.id) conflicts.push(`${key}: ${first.id} then ${message.id}`);
    };

    /** Works through `items` on connection after connection, each cut at a random moment. */
    async function worker(items: SendItem[]) {
      const left = new Map(items.map((i) => [i.key, i]));
      while (left.size > 0) {
        const sender = await openSender(hub.url, token, WINDOW);
        stats.connections++;
        // A client that lost track resends some keys it already had an answer for.
        const done = items.filter((i) => !left.has(i.key));
        const blind = shuffled(done).slice(0, randomInt(0, 8));
        stats.blind += blind.length;
        const batch = shuffled([...left.values(), ...blind]);
        // Most cuts come after a random number of answers, so every connection makes some
        // progress however slow the machine; some come at a random time, answers or not.
        const byTime = Math.random() < 0.2;
        const cutAfter = byTime ? Infinity : randomInt(1, 150);
        let acks = 0;
        let isCut = false;
        const cut = () => {
          if (isCut || !sender.isOpen) return;
          isCut = true;
          stats.cut++;
          // Mostly a dead network; sometimes a client that closes on purpose.
          if (Math.random() < 0.8) sender.terminate();
          else sender.close();
        };
        const timer = setTimeout(cut, byTime ? randomInt(0, 40) : 60_000);
        const result = await pump(sender, batch, (message, item) => {
          record(item.key, message);
          left.delete(item.key);
          if (++acks >= cutAfter) cut();
        });
        clearTimeout(timer);
        if (!isCut && !sender.isOpen) refusals.push(`closed by the hub (${await sender.ended})`);
        if (sender.isOpen) sender.close();
        await sender.ended;
        stats.sends += result.acked.size + result.inDoubt.length;
        stats.outOfOrder += sender.outOfOrder;
        for (const r of result.refused) refusals.push(`${r.item.key}: ${r.code}`);
        if (refusals.length > 0) return;
      }
    }

    await Promise.all(
      agents.flatMap((agent) => {
        const items: SendItem[] = Array.from({ length: KEYS_PER_AGENT }, (_, i) => {
          const key = `${agent}.${i}`;
          return { room: ROOM, agent, to: 'reader', key, body: `${key} retried blind` };
        });
        return Array.from({ length: WORKERS_PER_AGENT }, () => worker(shuffled([...items])));
      }),
    );
    assert.deepEqual(refusals.slice(0, 10), [], 'no retry is refused, no connection shed');
    assert.deepEqual(conflicts.slice(0, 10), [], 'every answer for a key names one message');
    assert.equal(answers.size, AGENTS * KEYS_PER_AGENT, 'every key was acknowledged');
    assert.equal(stats.outOfOrder, 0, 'answers come in the order of their frames');

    const events = await readLog(hub.url, ROOM, token);
    assert.deepEqual(auditLog(events, { acked: answers.values(), keyOf }), []);
    assert.equal(messagesOf(events).length, AGENTS * KEYS_PER_AGENT, 'one message per key');
    // The storm must have been one: many cuts, and many more sends than keys.
    assert.ok(stats.cut >= AGENTS * WORKERS_PER_AGENT * 3, `${stats.cut} connections cut`);
    assert.ok(stats.sends > answers.size * 1.5, `${stats.sends} sends for ${answers.size} keys`);
    assert.equal(await hub.stop('SIGTERM'), 0);
    t.diagnostic(
      `${answers.size} keys in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ` +
        `${stats.sends} sends answered or cut off, ${stats.blind} blind resends of answered keys, ` +
        `${stats.connections} connections, ${stats.cut} cut`,
    );
  },
);
