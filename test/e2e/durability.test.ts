// Acknowledged means durable: a `huddle serve` child killed (SIGKILL) or stopped (SIGTERM) mid-writes.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const dirs: Array<ReturnType<typeof tempDir>> = [];
const hubs: ChildHub[] = [];
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  for (const d of dirs) d.remove();
});

async function start(home: string): Promise<ChildHub> {
  const h = await spawnHub(home);
  hubs.push(h);
  return h;
}

interface Ack {
  seq: number;
  id: string;
  text: string;
}

async function createRoom(url: string, name: string): Promise<string> {
  const res = await fetch(`${url}/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, label: 'admin' }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { token: string }).token;
}

async function allEvents(url: string, room: string, token: string) {
  const events: Array<{ seq: number; id: string; type: string; body: { text?: string } }> = [];
  let after = 0;
  for (;;) {
    const res = await fetch(`${url}/v1/rooms/${room}/events?after=${after}&limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as {
      events: typeof events;
      has_more: boolean;
      next_after: number;
    };
    events.push(...page.events);
    if (!page.has_more) return events;
    after = page.next_after;
  }
}

/**
 * Runs `writers` loops that each post notes one after another until a request fails, recording
 * every acknowledged note. `onAck` sees the count after each acknowledgement and the number of
 * requests still in flight.
 */
function writeUntilFailure(
  url: string,
  room: string,
  token: string,
  writers: number,
  onAck: (acks: number, inFlight: number) => void,
) {
  const acks: Ack[] = [];
  let inFlight = 0;
  let failures = 0;
  const done = Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; ; i++) {
        const text = `writer ${w} note ${i} ${'x'.repeat(200)}`;
        inFlight++;
        let res: Response;
        let body: { event?: { seq: number; id: string } };
        try {
          res = await fetch(`${url}/v1/rooms/${room}/notes`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ text }),
          });
          body = (await res.json()) as typeof body;
        } catch {
          // The hub went away: this write was never acknowledged.
          inFlight--;
          failures++;
          return;
        }
        inFlight--;
        if (res.status !== 201) {
          // A hub shutting down may refuse cleanly (503); that is not an acknowledgement either.
          assert.equal(res.status, 503, JSON.stringify(body));
          failures++;
          return;
        }
        acks.push({ seq: body.event!.seq, id: body.event!.id, text });
        onAck(acks.length, inFlight);
      }
    }),
  );
  return { acks, done, failures: () => failures };
}

function assertAllAcked(events: Awaited<ReturnType<typeof allEvents>>, acks: Ack[]) {
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'seqs are dense from 1',
  );
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const missing = acks.filter((a) => {
    const e = bySeq.get(a.seq);
    return !e || e.id !== a.id || e.body.text !== a.text;
  });
  assert.deepEqual(missing, [], `${missing.length} acknowledged notes are missing or changed`);
}

test('kill -9 during concurrent writes loses no acknowledged note', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const hub = await start(dir.path);
  const token = await createRoom(hub.url, 'durable');

  let inFlightAtKill = -1;
  let killed!: () => void;
  const killedAt = new Promise<void>((resolve) => (killed = resolve));
  const run = writeUntilFailure(hub.url, 'durable', token, 8, (count, inFlight) => {
    if (count >= 400 && inFlightAtKill < 0) {
      inFlightAtKill = inFlight;
      hub.child.kill('SIGKILL');
      killed();
    }
  });
  await killedAt;
  const exit = await hub.stop();
  assert.equal(exit, null, 'killed by the signal, not exited');
  assert.equal(hub.child.signalCode, 'SIGKILL');
  await run.done;
  assert.ok(inFlightAtKill > 0, 'writes were in flight when the hub died');
  assert.ok(run.failures() > 0, 'some writes were cut off');
  assert.ok(run.acks.length >= 400);

  const again = await start(dir.path);
  const events = await allEvents(again.url, 'durable', token);
  assertAllAcked(events, run.acks);
  assert.ok(events.length >= 1 + run.acks.length);
  // The restarted hub carries on from the last seq.
  const res = await fetch(`${again.url}/v1/rooms/durable/notes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'after the crash' }),
  });
  assert.equal(res.status, 201);
  assert.equal(((await res.json()) as { event: { seq: number } }).event.seq, events.length + 1);
  await again.stop();
});

test('SIGTERM exits 0 cleanly, and a restart sees every note', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const hub = await start(dir.path);
  const token = await createRoom(hub.url, 'graceful');
  const acks: Ack[] = [];
  await Promise.all(
    Array.from({ length: 5 }, async (_, w) => {
      for (let i = 0; i < 20; i++) {
        const text = `graceful ${w}.${i}`;
        const res = await fetch(`${hub.url}/v1/rooms/graceful/notes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });
        assert.equal(res.status, 201);
        const { event } = (await res.json()) as { event: { seq: number; id: string } };
        acks.push({ seq: event.seq, id: event.id, text });
      }
    }),
  );
  assert.equal(await hub.stop('SIGTERM'), 0);
  assert.match(hub.logs(), /"hub stopped"/);
  // Logs carry no token and no note body.
  assert.ok(!hub.logs().includes(token));
  assert.ok(!hub.logs().includes('graceful 0.0'));

  const again = await start(dir.path);
  const events = await allEvents(again.url, 'graceful', token);
  assertAllAcked(events, acks);
  assert.equal(events.length, 1 + acks.length);
  assert.equal(await again.stop('SIGTERM'), 0);
});

test('SIGTERM during concurrent writes exits 0 and keeps every acknowledged note', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const hub = await start(dir.path);
  const token = await createRoom(hub.url, 'draining');
  let stopping!: Promise<number | null>;
  let stopAsked!: () => void;
  const asked = new Promise<void>((resolve) => (stopAsked = resolve));
  const run = writeUntilFailure(hub.url, 'draining', token, 6, (count) => {
    if (count >= 150 && stopping === undefined) {
      stopping = hub.stop('SIGTERM');
      stopAsked();
    }
  });
  await asked;
  const exit = await Promise.race([
    stopping,
    new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 5_000).unref()),
  ]);
  // Whatever happened, stop the writers before judging.
  if (exit === 'still running') hub.child.kill('SIGKILL');
  await run.done;
  assert.equal(exit, 0, 'the hub exits cleanly within 5 s while clients keep writing');

  const again = await start(dir.path);
  const events = await allEvents(again.url, 'draining', token);
  assertAllAcked(events, run.acks);
  await again.stop();
});
