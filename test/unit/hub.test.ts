// The Hub's use-cases over a real SQLite store in memory, the local bus and a manual clock.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { createLocalBus } from '../../src/bus/local-bus.js';
import type { BusNotice } from '../../src/core/bus.js';
import { createManualClock } from '../../src/core/clock.js';
import type { ErrorKind } from '../../src/core/errors.js';
import { createHub, type HubOptions, type HubRateLimits } from '../../src/core/hub.js';
import { cryptoRandom } from '../../src/core/random.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testHubOptions } from '../helpers/hub-options.js';

const HERE = { address: '10.0.0.1' };
const THERE = { address: '10.0.0.2' };

const huddleError = (code: string, kind: ErrorKind) => ({ name: 'HuddleError', code, kind });

async function setup(
  t: TestContext,
  limits: Partial<HubRateLimits> = {},
  options: Partial<HubOptions> = {},
) {
  const store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  const bus = createLocalBus((err) => {
    throw err;
  });
  const clock = createManualClock();
  const hub = createHub({
    store,
    bus,
    clock,
    random: cryptoRandom,
    options: testHubOptions({ ...options, rate_limits: limits }),
  });
  t.after(() => store.close());
  const created = await hub.rooms.createRoom(HERE, {
    name: 'alpha',
    label: 'owner',
    create_secret: options.create_secret,
  });
  const admin = await hub.members.authenticate(created.token);
  /** Pairs a new member into alpha with `scopes` and returns its principal. */
  async function join(scopes = ['read', 'write', 'checkpoint'], label = 'device') {
    const { code } = await hub.members.createPairCode(
      { principal: admin, room: 'alpha' },
      { scopes },
    );
    const joined = await hub.members.redeemPairCode(THERE, { code, label });
    return { ...joined, principal: await hub.members.authenticate(joined.token) };
  }
  const seqs = async () =>
    (await hub.rooms.history({ principal: admin, room: 'alpha' }, { limit: 100 })).events.map(
      (e) => e.seq,
    );
  return { hub, store, bus, clock, created, admin, join, seqs };
}

describe('Hub', () => {
  describe('pair codes', () => {
    it('work until code_ttl_seconds have passed, then fail with code_expired', async (t) => {
      const { hub, clock, admin } = await setup(t);
      const start = clock.now();
      const a = await hub.members.createPairCode({ principal: admin, room: 'alpha' }, {});
      const b = await hub.members.createPairCode({ principal: admin, room: 'alpha' }, {});
      assert.equal(a.expires_at, new Date(start + 600_000).toISOString());
      assert.deepEqual(a.scopes, ['read', 'write', 'checkpoint']);
      clock.advance(599_999);
      const joined = await hub.members.redeemPairCode(THERE, { code: a.code, label: 'in time' });
      assert.deepEqual(joined.member.scopes, ['read', 'write', 'checkpoint']);
      clock.advance(2);
      await assert.rejects(
        hub.members.redeemPairCode(THERE, { code: b.code, label: 'late' }),
        huddleError('code_expired', 'gone'),
      );
    });

    it('honour a ttl_seconds of their own, within bounds', async (t) => {
      const { hub, clock, admin } = await setup(t);
      const short = await hub.members.createPairCode(
        { principal: admin, room: 'alpha' },
        { ttl_seconds: 30 },
      );
      assert.equal(short.expires_at, new Date(clock.now() + 30_000).toISOString());
      await assert.rejects(
        hub.members.createPairCode({ principal: admin, room: 'alpha' }, { ttl_seconds: 5 }),
        huddleError('invalid_ttl', 'invalid'),
      );
      clock.advance(30_001);
      await assert.rejects(
        hub.members.redeemPairCode(THERE, { code: short.code, label: 'late' }),
        huddleError('code_expired', 'gone'),
      );
    });

    it('are accepted as people type them, and work once', async (t) => {
      const { hub, admin } = await setup(t);
      const { code } = await hub.members.createPairCode(
        { principal: admin, room: 'alpha' },
        { scopes: ['read'] },
      );
      const typed = code.toLowerCase().replace('-', ' ');
      const joined = await hub.members.redeemPairCode(THERE, { code: typed, label: 'phone' });
      assert.deepEqual(joined.member.scopes, ['read']);
      assert.equal(joined.room.name, 'alpha');
      await assert.rejects(
        hub.members.redeemPairCode(THERE, { code, label: 'again' }),
        huddleError('code_used', 'conflict'),
      );
      await assert.rejects(
        hub.members.redeemPairCode(THERE, { code: 'nope', label: 'x' }),
        huddleError('invalid_code', 'invalid'),
      );
    });
  });

  describe('rate limits', () => {
    it('refuse writes past the burst with rate_limited and recover with the clock', async (t) => {
      const { hub, clock, admin, join, seqs } = await setup(t, {
        writes: { burst: 3, refill: 1, period_seconds: 60 },
      });
      const member = await join();
      const before = await seqs();
      for (let i = 0; i < 3; i++)
        await hub.rooms.writeNote(
          { principal: member.principal, room: 'alpha' },
          { text: `n${i}` },
        );
      const refused = await hub.rooms
        .writeNote({ principal: member.principal, room: 'alpha' }, { text: 'one too many' })
        .then(
          () => assert.fail('expected rate_limited'),
          (err: unknown) => err as { code: string; kind: string; retryAfterMs: number },
        );
      assert.equal(refused.code, 'rate_limited');
      assert.equal(refused.kind, 'rate_limited');
      assert.equal(refused.retryAfterMs, 60_000);
      assert.equal((await seqs()).length, before.length + 3);

      // Another token has its own budget; reads are not writes.
      await hub.rooms.writeNote({ principal: admin, room: 'alpha' }, { text: 'admin still may' });
      await hub.rooms.read({ principal: member.principal, room: 'alpha' });

      clock.advance(59_999);
      await assert.rejects(
        hub.rooms.writeNote({ principal: member.principal, room: 'alpha' }, { text: 'not yet' }),
        huddleError('rate_limited', 'rate_limited'),
      );
      clock.advance(1);
      await hub.rooms.writeNote({ principal: member.principal, room: 'alpha' }, { text: 'again' });
    });

    it('limit joins per address, without using up the code', async (t) => {
      const { hub, clock, admin } = await setup(t, {
        join: { burst: 2, refill: 1, period_seconds: 60 },
      });
      const codes = [];
      for (let i = 0; i < 4; i++)
        codes.push(
          (await hub.members.createPairCode({ principal: admin, room: 'alpha' }, {})).code,
        );
      await hub.members.redeemPairCode(HERE, { code: codes[0]!, label: 'a' });
      await hub.members.redeemPairCode(HERE, { code: codes[1]!, label: 'b' });
      await assert.rejects(
        hub.members.redeemPairCode(HERE, { code: codes[2]!, label: 'c' }),
        huddleError('rate_limited', 'rate_limited'),
      );
      await hub.members.redeemPairCode(THERE, { code: codes[3]!, label: 'd' });
      clock.advance(60_000);
      await hub.members.redeemPairCode(HERE, { code: codes[2]!, label: 'c' });
    });

    it('limit room creation per address', async (t) => {
      const { hub, clock } = await setup(t, {
        room_create: { burst: 1, refill: 1, period_seconds: 3600 },
      });
      // setup created "alpha" from HERE.
      await assert.rejects(
        hub.rooms.createRoom(HERE, { name: 'beta', label: 'x' }),
        huddleError('rate_limited', 'rate_limited'),
      );
      await hub.rooms.createRoom(THERE, { name: 'beta', label: 'x' });
      clock.advance(3_600_000);
      await hub.rooms.createRoom(HERE, { name: 'gamma', label: 'x' });
    });
  });

  describe('access', () => {
    it('tells a room of another token (wrong_room) from a missing one (room_not_found)', async (t) => {
      const { hub, admin } = await setup(t);
      await hub.rooms.createRoom(THERE, { name: 'beta', label: 'other' });
      await assert.rejects(
        hub.rooms.read({ principal: admin, room: 'beta' }),
        huddleError('wrong_room', 'forbidden'),
      );
      await assert.rejects(
        hub.rooms.writeNote({ principal: admin, room: 'beta' }, { text: 'x' }),
        huddleError('wrong_room', 'forbidden'),
      );
      await assert.rejects(
        hub.rooms.read({ principal: admin, room: 'gamma' }),
        huddleError('room_not_found', 'not_found'),
      );
      await assert.rejects(
        hub.rooms.read({ principal: admin, room: 'Not A Name' }),
        huddleError('invalid_room_name', 'invalid'),
      );
    });

    it('refuses a read-only member writing with insufficient_scope and stores nothing', async (t) => {
      const { hub, join, seqs } = await setup(t);
      const reader = await join(['read']);
      const before = await seqs();
      await hub.rooms.read({ principal: reader.principal, room: 'alpha' });
      await assert.rejects(
        hub.rooms.writeNote({ principal: reader.principal, room: 'alpha' }, { text: 'x' }),
        huddleError('insufficient_scope', 'forbidden'),
      );
      await assert.rejects(
        hub.rooms.setCheckpoint({ principal: reader.principal, room: 'alpha' }, { text: 'x' }),
        huddleError('insufficient_scope', 'forbidden'),
      );
      await assert.rejects(
        hub.members.createPairCode({ principal: reader.principal, room: 'alpha' }, {}),
        huddleError('insufficient_scope', 'forbidden'),
      );
      assert.deepEqual(await seqs(), before);
    });

    it('authenticates only live tokens of the right shape', async (t) => {
      const { hub, admin, join } = await setup(t);
      await assert.rejects(
        hub.members.authenticate(undefined),
        huddleError('missing_token', 'unauthenticated'),
      );
      await assert.rejects(
        hub.members.authenticate('hd_short'),
        huddleError('invalid_token', 'unauthenticated'),
      );
      await assert.rejects(
        hub.members.authenticate('hd_' + 'A'.repeat(43)),
        huddleError('unknown_token', 'unauthenticated'),
      );

      const member = await join();
      const rotated = await hub.members.rotateToken({ principal: member.principal, room: 'alpha' });
      await assert.rejects(
        hub.members.authenticate(member.token),
        huddleError('unknown_token', 'unauthenticated'),
      );
      const again = await hub.members.authenticate(rotated.token);
      assert.equal(again.member.id, member.member.id);

      await hub.members.revokeMember(
        { principal: admin, room: 'alpha' },
        { member_id: member.member.id },
      );
      await assert.rejects(
        hub.members.authenticate(rotated.token),
        huddleError('unknown_token', 'unauthenticated'),
      );
    });

    it('needs the create secret when the hub has one', async (t) => {
      const { hub } = await setup(t, {}, { create_secret: 'open-sesame' });
      await assert.rejects(
        hub.rooms.createRoom(THERE, { name: 'beta', label: 'x' }),
        huddleError('create_secret_required', 'forbidden'),
      );
      await assert.rejects(
        hub.rooms.createRoom(THERE, { name: 'beta', label: 'x', create_secret: 'open-sesame!' }),
        huddleError('create_secret_required', 'forbidden'),
      );
      const ok = await hub.rooms.createRoom(THERE, {
        name: 'beta',
        label: 'x',
        create_secret: 'open-sesame',
      });
      assert.equal(ok.room.name, 'beta');
    });

    it('forgets every token of a deleted room', async (t) => {
      const { hub, admin, created, join } = await setup(t);
      const member = await join();
      assert.deepEqual(await hub.rooms.deleteRoom({ principal: admin, room: 'alpha' }), {
        deleted: 'alpha',
      });
      await assert.rejects(
        hub.members.authenticate(created.token),
        huddleError('unknown_token', 'unauthenticated'),
      );
      await assert.rejects(
        hub.members.authenticate(member.token),
        huddleError('unknown_token', 'unauthenticated'),
      );
    });
  });

  describe('checkpoint', () => {
    it('follows expected_version: a stale write is refused naming the current version', async (t) => {
      const { hub, admin, join } = await setup(t);
      const other = await join(['read', 'checkpoint'], 'other');
      assert.equal(
        (await hub.rooms.getCheckpoint({ principal: admin, room: 'alpha' })).checkpoint.version,
        0,
      );

      const v1 = await hub.rooms.setCheckpoint(
        { principal: other.principal, room: 'alpha' },
        {
          text: 'one',
          expected_version: 0,
        },
      );
      assert.equal(v1.checkpoint.version, 1);
      assert.deepEqual(v1.event.body, { text: 'one', version: 1 });

      await assert.rejects(
        hub.rooms.setCheckpoint(
          { principal: admin, room: 'alpha' },
          { text: 'stale', expected_version: 0 },
        ),
        (err: { code: string; details: Record<string, unknown> }) => {
          assert.equal(err.code, 'checkpoint_conflict');
          assert.equal(err.details.current_version, 1);
          assert.deepEqual(err.details.updated_by, { member_id: other.member.id, label: 'other' });
          return true;
        },
      );
      const v2 = await hub.rooms.setCheckpoint(
        { principal: admin, room: 'alpha' },
        {
          text: 'merged',
          expected_version: 1,
        },
      );
      assert.equal(v2.checkpoint.version, 2);
      const v3 = await hub.rooms.setCheckpoint(
        { principal: admin, room: 'alpha' },
        { text: 'blind' },
      );
      assert.equal(v3.checkpoint.version, 3);
      assert.equal(
        (await hub.rooms.getCheckpoint({ principal: other.principal, room: 'alpha' })).checkpoint
          .text,
        'blind',
      );
      await assert.rejects(
        hub.rooms.setCheckpoint(
          { principal: admin, room: 'alpha' },
          { text: 'x', expected_version: -1 },
        ),
        huddleError('invalid_version', 'invalid'),
      );
    });
  });

  describe('notes', () => {
    it('accept 64 KiB and refuse one byte more, naming the limit', async (t) => {
      const { hub, admin, seqs } = await setup(t);
      await hub.rooms.writeNote({ principal: admin, room: 'alpha' }, { text: 'a'.repeat(65_536) });
      const before = await seqs();
      await assert.rejects(
        hub.rooms.writeNote(
          { principal: admin, room: 'alpha' },
          { text: 'a'.repeat(65_536) + 'é' },
        ),
        (err: { code: string; kind: string; details: Record<string, unknown> }) => {
          assert.equal(err.code, 'note_too_large');
          assert.equal(err.kind, 'too_large');
          assert.equal(err.details.limit_bytes, 65_536);
          assert.equal(err.details.size_bytes, 65_538);
          return true;
        },
      );
      assert.deepEqual(await seqs(), before);
    });

    it('replay a retried write with the same key and append nothing', async (t) => {
      const { hub, admin, join, seqs } = await setup(t);
      const first = await hub.rooms.writeNote(
        { principal: admin, room: 'alpha', key: 'retry-1' },
        { text: 'once' },
      );
      const before = await seqs();
      const again = await hub.rooms.writeNote(
        { principal: admin, room: 'alpha', key: 'retry-1' },
        { text: 'once' },
      );
      assert.deepEqual(again, first);
      assert.deepEqual(await seqs(), before);
      await assert.rejects(
        hub.rooms.writeNote(
          { principal: admin, room: 'alpha', key: 'retry-1' },
          { text: 'something else' },
        ),
        huddleError('idempotency_key_reused', 'conflict'),
      );
      const other = await join();
      const theirs = await hub.rooms.writeNote(
        { principal: other.principal, room: 'alpha', key: 'retry-1' },
        { text: 'once' },
      );
      assert.notEqual(theirs.event.seq, first.event.seq);
    });

    it('forget idempotency keys after the retention window in housekeeping', async (t) => {
      const { hub, clock, admin } = await setup(t);
      const first = await hub.rooms.writeNote(
        { principal: admin, room: 'alpha', key: 'k' },
        { text: 'once' },
      );
      clock.advance(3_600_000 + 1);
      await hub.operations.housekeeping();
      const later = await hub.rooms.writeNote(
        { principal: admin, room: 'alpha', key: 'k' },
        { text: 'once' },
      );
      assert.equal(later.event.seq, first.event.seq + 1);
    });
  });

  describe('bus', () => {
    it('announces each committed write with its room and seq, and nothing for refusals', async (t) => {
      const { hub, bus, admin, created, join } = await setup(t);
      const notices: BusNotice[] = [];
      bus.subscribe(created.room.id, (n) => notices.push(n));
      const elsewhere: BusNotice[] = [];
      const beta = await hub.rooms.createRoom(THERE, { name: 'beta', label: 'b' });
      bus.subscribe(beta.room.id, (n) => elsewhere.push(n));

      const seen: number[] = [];
      const note = await hub.rooms.writeNote({ principal: admin, room: 'alpha' }, { text: 'x' });
      seen.push(note.event.seq);
      const cp = await hub.rooms.setCheckpoint({ principal: admin, room: 'alpha' }, { text: 'y' });
      seen.push(cp.event.seq);
      await assert.rejects(
        hub.rooms.setCheckpoint(
          { principal: admin, room: 'alpha' },
          { text: 'z', expected_version: 0 },
        ),
      );
      const member = await join(); // code.created, then member.joined
      seen.push(seen.at(-1)! + 1, seen.at(-1)! + 2);
      await hub.members.rotateToken({ principal: member.principal, room: 'alpha' });
      seen.push(seen.at(-1)! + 1);
      const revoked = await hub.members.revokeMember(
        { principal: admin, room: 'alpha' },
        { member_id: member.member.id },
      );
      seen.push(revoked.event.seq);

      assert.deepEqual(
        notices,
        seen.map((seq) => ({ room_id: created.room.id, seq })),
      );
      assert.deepEqual(seen, [2, 3, 4, 5, 6, 7]);
      assert.deepEqual(elsewhere, []);
      const history = await hub.rooms.history({ principal: admin, room: 'alpha' }, { after: 1 });
      assert.deepEqual(
        history.events.map((e) => e.seq),
        seen,
      );
    });
  });
});
