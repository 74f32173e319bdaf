// Concurrency over real HTTP: one pair code redeemed by many at once, and many writers on one room.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(() => hub.stop());

async function post(path: string, body: unknown, token?: string) {
  const res = await fetch(hub.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function get(path: string, token: string) {
  const res = await fetch(hub.url + path, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as any;
}

/** Every event of a room, through the paged history. */
async function allEvents(room: string, token: string) {
  const events: Array<{ seq: number; id: string; type: string; body: any }> = [];
  let after = 0;
  for (;;) {
    const page = await get(`/v1/rooms/${room}/events?after=${after}&limit=100`, token);
    events.push(...page.events);
    if (!page.has_more) return events;
    after = page.next_after;
  }
}

async function createRoom(name: string) {
  const r = await post('/v1/rooms', { name, label: 'admin' });
  assert.equal(r.status, 201);
  return r.body.token as string;
}

test('30 concurrent redemptions of one code: exactly one 201, the rest 409 code_used', async () => {
  const admin = await createRoom('race');
  const made = await post('/v1/rooms/race/codes', {}, admin);
  assert.equal(made.status, 201);
  const code = made.body.code as string;

  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) => post('/v1/join', { code, label: `racer-${i}` })),
  );
  const winners = results.filter((r) => r.status === 201);
  const losers = results.filter((r) => r.status !== 201);
  assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.status)));
  assert.equal(losers.length, 29);
  for (const r of losers) {
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'code_used');
  }
  const winner = winners[0]!.body;
  assert.match(winner.token, /^hd_/);

  const events = await allEvents('race', admin);
  const joined = events.filter((e) => e.type === 'member.joined');
  assert.equal(joined.length, 1);
  assert.equal(joined[0]!.body.member_id, winner.member.id);
  const { members } = await get('/v1/rooms/race/members', admin);
  assert.equal(members.length, 2);
  // The winner's token works.
  assert.equal((await get('/v1/rooms/race/me', winner.token)).member.id, winner.member.id);
});

test('10 concurrent writers leave a dense seq 1..N with no duplicate and every ack in place', async () => {
  const admin = await createRoom('writers');
  const writers: string[] = [];
  for (let i = 0; i < 10; i++) {
    const made = await post('/v1/rooms/writers/codes', {}, admin);
    const joined = await post('/v1/join', { code: made.body.code, label: `writer-${i}` });
    assert.equal(joined.status, 201);
    writers.push(joined.body.token);
  }
  const base = (await get('/v1/rooms/writers?limit=1', admin)).cursor as number;

  const PER_WRITER = 30;
  const acks: Array<{ seq: number; id: string; text: string }> = [];
  await Promise.all(
    writers.map(async (token, w) => {
      // Each writer keeps several requests in flight at once.
      await Promise.all(
        Array.from({ length: 3 }, async (_, lane) => {
          for (let i = lane; i < PER_WRITER; i += 3) {
            const text = `writer ${w} note ${i}`;
            const r = await post('/v1/rooms/writers/notes', { text }, token);
            assert.equal(r.status, 201, JSON.stringify(r.body));
            acks.push({ seq: r.body.event.seq, id: r.body.event.id, text });
          }
        }),
      );
    }),
  );
  assert.equal(acks.length, 10 * PER_WRITER);
  assert.equal(new Set(acks.map((a) => a.seq)).size, acks.length, 'no two acks share a seq');
  assert.equal(new Set(acks.map((a) => a.id)).size, acks.length);

  const events = await allEvents('writers', admin);
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal(events.length, base + acks.length);
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  for (const a of acks) {
    const e = bySeq.get(a.seq);
    assert.ok(e, `seq ${a.seq} is in the log`);
    assert.equal(e.id, a.id);
    assert.equal(e.body.text, a.text);
  }
  const read = await get('/v1/rooms/writers?limit=1', admin);
  assert.equal(read.cursor, events.length);
});

test('10 concurrent requests with one Idempotency-Key append one note and all return it', async () => {
  const admin = await createRoom('same-key');
  const send = () =>
    fetch(`${hub.url}/v1/rooms/same-key/notes`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'idempotency-key': 'one-key',
      },
      body: JSON.stringify({ text: 'once' }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
  const results = await Promise.all(Array.from({ length: 10 }, send));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  const ids = new Set(results.map((r) => r.body.event.id));
  assert.equal(ids.size, 1, 'every retry got the original event');
  const notes = (await allEvents('same-key', admin)).filter((e) => e.type === 'note');
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.id, [...ids][0]);
});

test('10 concurrent checkpoint writes from one version: exactly one wins, the rest 409', async () => {
  const admin = await createRoom('cp-race');
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      fetch(`${hub.url}/v1/rooms/cp-race/checkpoint`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `plan ${i}`, expected_version: 0 }),
      }).then(async (res) => ({ i, status: res.status, body: (await res.json()) as any })),
    ),
  );
  const winners = results.filter((r) => r.status === 200);
  assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.status)));
  for (const r of results.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'checkpoint_conflict');
    assert.equal(r.body.error.details.current_version, 1);
  }
  const { checkpoint } = await get('/v1/rooms/cp-race/checkpoint', admin);
  assert.equal(checkpoint.version, 1);
  assert.equal(checkpoint.text, `plan ${winners[0]!.i}`);
  const events = await allEvents('cp-race', admin);
  assert.equal(events.filter((e) => e.type === 'checkpoint').length, 1);
});
