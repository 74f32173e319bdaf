// The cases every Store implementation must pass, written only against the Store interface.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ErrorKind } from '../../src/core/errors.js';
import type { Idempotency, Store } from '../../src/core/store.js';
import type { Actor, EventDraft, Member, Room, RoomEvent, Scope } from '../../src/core/types.js';

/** What a store implementation hands the contract: a migrated, empty store and its teardown. */
export interface OpenedStore {
  store: Store;
  /** Closes the store (it may already be closed) and removes whatever it left behind. */
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

/** What `assert.rejects` compares: a HuddleError with this code and kind, whatever its text. */
export function huddleError(code: string, kind: ErrorKind) {
  return { name: 'HuddleError', code, kind };
}

const digest = () => randomBytes(32).toString('hex');
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

function draft(
  type: string,
  body: Record<string, unknown> = {},
  actor: Actor | null = null,
  ts = T0,
): EventDraft {
  return { id: id('ev'), ts, actor, type, body };
}

interface Fixture {
  room: Room;
  admin: Member;
  adminToken: string;
  actor: Actor;
  event: RoomEvent;
}

async function createRoom(store: Store, name = id('room').replace('_', '-')): Promise<Fixture> {
  const memberId = id('mem');
  const adminToken = digest();
  const actor = { member_id: memberId, label: 'admin' };
  const created = await store.createRoom({
    room: { id: id('room'), name, created_at: T0 },
    member: { id: memberId, label: 'admin', scopes: ['admin'], created_at: T0 },
    token_digest: adminToken,
    event: draft('room.created', { name }, actor),
  });
  return { room: created.room, admin: created.member, event: created.event, adminToken, actor };
}

/** A pair code of `room` with `scopes`, valid for ten minutes from `T0` unless told otherwise. */
async function createCode(
  store: Store,
  f: Fixture,
  scopes: Scope[] = ['read', 'write'],
  expiresAt = T0 + 10 * MINUTE,
): Promise<string> {
  const code = digest();
  await store.createPairCode(
    {
      digest: code,
      room_id: f.room.id,
      scopes,
      created_by: f.admin.id,
      created_at: T0,
      expires_at: expiresAt,
    },
    draft('code.created', { scopes }, f.actor),
  );
  return code;
}

function redeem(store: Store, code: string, now = T0 + MINUTE, label = 'device') {
  const token = digest();
  return {
    token,
    result: store.redeemPairCode({
      digest: code,
      now,
      member: { id: id('mem'), label, created_at: now },
      token_digest: token,
      event: (m) =>
        draft(
          'member.joined',
          { member_id: m.id, scopes: m.scopes },
          {
            member_id: m.id,
            label: m.label,
          },
        ),
    }),
  };
}

/** A new member of the room, paired through a code, with its token digest. */
async function addMember(store: Store, f: Fixture, scopes: Scope[] = ['read', 'write']) {
  const { token, result } = redeem(store, await createCode(store, f, scopes));
  const { member } = await result;
  return { member, token, actor: { member_id: member.id, label: member.label } };
}

function idem(member: Member | Actor, key: string, fingerprint: string, at = T0): Idempotency {
  const member_id = 'member_id' in member ? member.member_id : member.id;
  return { member_id, key, fingerprint, at };
}

async function allEvents(store: Store, roomId: string): Promise<RoomEvent[]> {
  return store.listEvents(roomId, 0, 10_000);
}

async function lastSeq(store: Store, name: string): Promise<number> {
  const room = await store.findRoom(name);
  assert.ok(room, `room ${name} should exist`);
  return room.last_seq;
}

function seqs(events: RoomEvent[]): number[] {
  return events.map((e) => e.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function runStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    describe('lifecycle', () => {
      it('answers ping and keeps its data when migrate runs again', async () => {
        await store.ping();
        const f = await createRoom(store);
        await store.migrate();
        await store.migrate();
        assert.deepEqual(await store.findRoom(f.room.name), f.room);
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1]);
      });

      it('close lets every write already issued commit before it resolves', async () => {
        const f = await createRoom(store);
        const settled: string[] = [];
        const writes = range(1, 5).map((i) =>
          store.appendEvent(f.room.id, draft('note', { i })).then(
            (e) => {
              settled.push(`ok:${e.seq}`);
              return e;
            },
            (err: unknown) => {
              settled.push('failed');
              throw err;
            },
          ),
        );
        await store.close();
        assert.deepEqual(settled, ['ok:2', 'ok:3', 'ok:4', 'ok:5', 'ok:6']);
        assert.deepEqual(
          (await Promise.all(writes)).map((e) => e.body.i),
          [1, 2, 3, 4, 5],
        );
      });

      it('refuses a write after close with a HuddleError', async () => {
        const f = await createRoom(store);
        await store.close();
        await assert.rejects(store.appendEvent(f.room.id, draft('note')), { name: 'HuddleError' });
      });
    });

    describe('createRoom', () => {
      it('creates the room, its admin, the admin token and room.created at seq 1', async () => {
        const f = await createRoom(store, 'alpha');
        assert.equal(f.room.name, 'alpha');
        assert.equal(f.room.created_at, new Date(T0).toISOString());
        assert.equal(f.room.last_seq, 1);
        assert.deepEqual(f.admin.scopes, ['admin']);
        assert.equal(f.admin.room_id, f.room.id);
        assert.equal(f.admin.revoked_at, null);
        assert.equal(f.event.seq, 1);
        assert.equal(f.event.type, 'room.created');
        assert.equal(f.event.room, 'alpha');
        assert.deepEqual(f.event.body, { name: 'alpha' });

        assert.deepEqual(await store.findRoom('alpha'), f.room);
        assert.deepEqual(await store.listMembers(f.room.id), [f.admin]);
        assert.deepEqual(await allEvents(store, f.room.id), [f.event]);
        const cred = await store.findCredential(f.adminToken);
        assert.ok(cred);
        assert.equal(cred.token_digest, f.adminToken);
        assert.deepEqual(cred.member, f.admin);
        assert.deepEqual(cred.room, f.room);
      });

      it('finds no room and no credential for names and digests it does not know', async () => {
        await createRoom(store, 'alpha');
        assert.equal(await store.findRoom('beta'), null);
        assert.equal(await store.findCredential(digest()), null);
      });

      it('refuses a taken name with room_exists and keeps nothing of the second attempt', async () => {
        const first = await createRoom(store, 'alpha');
        const token = digest();
        await assert.rejects(
          store.createRoom({
            room: { id: id('room'), name: 'alpha', created_at: T0 },
            member: { id: id('mem'), label: 'intruder', scopes: ['admin'], created_at: T0 },
            token_digest: token,
            event: draft('room.created', { name: 'alpha' }),
          }),
          huddleError('room_exists', 'conflict'),
        );
        assert.equal(await store.findCredential(token), null);
        assert.deepEqual(await store.findRoom('alpha'), first.room);
        assert.deepEqual(await store.listMembers(first.room.id), [first.admin]);
      });

      it('of two creations of one name in the same tick, exactly one succeeds', async () => {
        const results = await Promise.allSettled([
          createRoom(store, 'race'),
          createRoom(store, 'race'),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.equal((lost[0] as PromiseRejectedResult).reason.code, 'room_exists');
        const winner = (won[0] as PromiseFulfilledResult<Fixture>).value;
        assert.deepEqual(await store.findRoom('race'), winner.room);
      });
    });

    describe('event log', () => {
      it('gives each room dense seqs of its own across interleaved writes', async () => {
        const a = await createRoom(store);
        const b = await createRoom(store);
        // One tick of interleaved writes, then more in later ticks.
        const burst = await Promise.all(
          range(1, 10).map((i) =>
            store.appendEvent(
              (i % 2 ? a : b).room.id,
              draft('note', { i, room: i % 2 ? 'a' : 'b' }),
            ),
          ),
        );
        for (const i of range(11, 14)) {
          await store.appendEvent(
            (i % 2 ? a : b).room.id,
            draft('note', { i, room: i % 2 ? 'a' : 'b' }),
          );
        }
        assert.deepEqual(
          burst.map((e) => e.seq),
          [2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
        );
        for (const [f, tag] of [
          [a, 'a'],
          [b, 'b'],
        ] as const) {
          const events = await allEvents(store, f.room.id);
          assert.deepEqual(seqs(events), range(1, 8));
          assert.ok(events.every((e) => e.room === f.room.name));
          assert.ok(events.slice(1).every((e) => e.body.room === tag));
          assert.equal(await lastSeq(store, f.room.name), 8);
        }
      });

      it('returns from appendEvent the same record listEvents later returns', async () => {
        const f = await createRoom(store);
        const actor = { member_id: f.admin.id, label: 'admin' };
        const written = await store.appendEvent(
          f.room.id,
          draft('note', { text: 'hello', nested: { list: [1, 'two', null] } }, actor, T0 + 1234),
        );
        assert.equal(written.seq, 2);
        assert.equal(written.room, f.room.name);
        assert.equal(written.ts, new Date(T0 + 1234).toISOString());
        assert.deepEqual(written.actor, actor);
        assert.deepEqual((await store.listEvents(f.room.id, 1, 10))[0], written);
        const anonymous = await store.appendEvent(f.room.id, draft('note', {}, null));
        assert.equal(anonymous.actor, null);
        assert.deepEqual((await store.listEvents(f.room.id, 2, 10))[0], anonymous);
      });

      it('lists events after a cursor, ascending, at most limit of them', async () => {
        const f = await createRoom(store);
        for (const i of range(2, 10)) await store.appendEvent(f.room.id, draft('note', { i }));
        assert.deepEqual(seqs(await store.listEvents(f.room.id, 0, 100)), range(1, 10));
        assert.deepEqual(seqs(await store.listEvents(f.room.id, 3, 4)), [4, 5, 6, 7]);
        assert.deepEqual(seqs(await store.listEvents(f.room.id, 9, 4)), [10]);
        assert.deepEqual(await store.listEvents(f.room.id, 10, 4), []);
        assert.deepEqual(await store.listEvents(f.room.id, 50, 4), []);

        const paged: number[] = [];
        let after = 0;
        for (;;) {
          const page = await store.listEvents(f.room.id, after, 3);
          if (page.length === 0) break;
          paged.push(...seqs(page));
          after = page.at(-1)!.seq;
        }
        assert.deepEqual(paged, range(1, 10));
        assert.deepEqual(
          (await store.listEvents(f.room.id, 1, 3)).map((e) => e.body.i),
          [2, 3, 4],
        );
      });

      it('returns the newest events in ascending order from recentEvents', async () => {
        const f = await createRoom(store);
        for (const i of range(2, 10)) await store.appendEvent(f.room.id, draft('note', { i }));
        assert.deepEqual(seqs(await store.recentEvents(f.room.id, 3)), [8, 9, 10]);
        assert.deepEqual(seqs(await store.recentEvents(f.room.id, 1)), [10]);
        assert.deepEqual(seqs(await store.recentEvents(f.room.id, 100)), range(1, 10));
        assert.deepEqual(
          await store.recentEvents(f.room.id, 100),
          await allEvents(store, f.room.id),
        );
      });

      it('refuses a write to a room that does not exist with a HuddleError', async () => {
        const f = await createRoom(store);
        await assert.rejects(store.appendEvent(id('room'), draft('note')), { name: 'HuddleError' });
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1]);
      });
    });

    describe('members without a code', () => {
      it('adds a member with its token to a room, with an event', async () => {
        const f = await createRoom(store);
        const token = digest();
        const added = await store.addMember({
          room_id: f.room.id,
          member: { id: id('mem'), label: 'local', scopes: ['admin'], created_at: T0 },
          token_digest: token,
          event: (m) => draft('member.joined', { member_id: m.id }, f.actor),
        });
        assert.equal(added.member.label, 'local');
        assert.equal(added.event.seq, 2);
        assert.equal((await store.findCredential(token))?.member.id, added.member.id);
        await assert.rejects(
          store.addMember({
            room_id: 'room_nope',
            member: { id: id('mem'), label: 'x', scopes: ['read'], created_at: T0 },
            token_digest: digest(),
            event: (m) => draft('member.joined', { member_id: m.id }, f.actor),
          }),
          huddleError('room_not_found', 'not_found'),
        );
      });

      it('gives a live member one more token, and refuses revoked or unknown members', async () => {
        const f = await createRoom(store);
        const second = digest();
        const event = await store.addToken(
          f.room.id,
          { digest: second, member_id: f.admin.id, created_at: T0 },
          draft('member.token_added', { member_id: f.admin.id }, f.actor),
        );
        assert.equal(event.type, 'member.token_added');
        assert.equal((await store.findCredential(second))?.member.id, f.admin.id);
        assert.equal(
          (await store.findCredential(f.adminToken))?.member.id,
          f.admin.id,
          'the first token still works',
        );
        await assert.rejects(
          store.addToken(
            f.room.id,
            { digest: digest(), member_id: 'mem_nope', created_at: T0 },
            draft('x', {}, f.actor),
          ),
          huddleError('member_not_found', 'not_found'),
        );
      });
    });

    describe('idempotency', () => {
      it('replays the first result for a retried key and appends nothing', async () => {
        const f = await createRoom(store);
        const first = await store.appendEvent(
          f.room.id,
          draft('note', { text: 'once' }, f.actor),
          idem(f.admin, 'k1', 'fp-a'),
        );
        const again = await store.appendEvent(
          f.room.id,
          draft('note', { text: 'once' }, f.actor),
          idem(f.admin, 'k1', 'fp-a'),
        );
        assert.deepEqual(again, first);
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1, 2]);
        assert.equal(await lastSeq(store, f.room.name), 2);
      });

      it('finds the outcome of a keyed write with findReplay, before writing again', async () => {
        const f = await createRoom(store);
        assert.equal(await store.findReplay(f.room.id, idem(f.admin, 'k1', 'fp-a')), null);
        const event = await store.appendEvent(
          f.room.id,
          draft('note', { text: 'once' }, f.actor),
          idem(f.admin, 'k1', 'fp-a'),
        );
        assert.deepEqual(await store.findReplay(f.room.id, idem(f.admin, 'k1', 'fp-a')), { event });
        await assert.rejects(
          store.findReplay(f.room.id, idem(f.admin, 'k1', 'fp-b')),
          huddleError('idempotency_key_reused', 'conflict'),
        );
        const result = await store.setCheckpoint(
          f.room.id,
          { text: 'plan', actor: f.actor },
          (version) => draft('checkpoint', { version }, f.actor),
          idem(f.admin, 'k2', 'fp-c'),
        );
        assert.deepEqual(await store.findReplay(f.room.id, idem(f.admin, 'k2', 'fp-c')), {
          result,
        });
      });

      it('appends once when the same key is retried in the same tick', async () => {
        const f = await createRoom(store);
        const results = await Promise.all(
          range(1, 3).map(() =>
            store.appendEvent(f.room.id, draft('note', {}, f.actor), idem(f.admin, 'k', 'fp')),
          ),
        );
        assert.deepEqual(results[1], results[0]);
        assert.deepEqual(results[2], results[0]);
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1, 2]);
      });

      it('refuses a key reused for another request with idempotency_key_reused', async () => {
        const f = await createRoom(store);
        await store.appendEvent(f.room.id, draft('note'), idem(f.admin, 'k1', 'fp-a'));
        await assert.rejects(
          store.appendEvent(f.room.id, draft('note'), idem(f.admin, 'k1', 'fp-b')),
          (err: unknown) => {
            assert.deepEqual(
              { ...huddleError('idempotency_key_reused', 'conflict') },
              pick(err, ['name', 'code', 'kind']),
            );
            return true;
          },
        );
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1, 2]);
      });

      it('keeps the keys of different members apart', async () => {
        const f = await createRoom(store);
        const other = await addMember(store, f);
        const seqBefore = await lastSeq(store, f.room.name);
        const mine = await store.appendEvent(f.room.id, draft('note'), idem(f.admin, 'k', 'fp-a'));
        const theirs = await store.appendEvent(
          f.room.id,
          draft('note'),
          idem(other.member, 'k', 'fp-b'),
        );
        assert.equal(mine.seq, seqBefore + 1);
        assert.equal(theirs.seq, seqBefore + 2);
      });

      it('replays setCheckpoint without writing a second version', async () => {
        const f = await createRoom(store);
        const write = () =>
          store.setCheckpoint(
            f.room.id,
            { text: 'plan', actor: f.actor },
            (version) => draft('checkpoint', { version }, f.actor),
            idem(f.admin, 'cp', 'fp'),
          );
        const first = await write();
        const again = await write();
        assert.deepEqual(again, first);
        assert.equal((await store.getCheckpoint(f.room.id)).version, 1);
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1, 2]);
      });

      it('replays createPairCode without storing the code twice', async () => {
        const f = await createRoom(store);
        const code = digest();
        const write = () =>
          store.createPairCode(
            {
              digest: code,
              room_id: f.room.id,
              scopes: ['read'],
              created_by: f.admin.id,
              created_at: T0,
              expires_at: T0 + 10 * MINUTE,
            },
            draft('code.created', {}, f.actor),
            idem(f.admin, 'code', 'fp'),
          );
        const first = await write();
        assert.deepEqual(await write(), first);
        assert.deepEqual(seqs(await allEvents(store, f.room.id)), [1, 2]);
        await redeem(store, code).result;
      });

      it('replays revokeMember instead of failing with member_revoked', async () => {
        const f = await createRoom(store);
        const other = await addMember(store, f);
        const revoke = () =>
          store.revokeMember(
            f.room.id,
            other.member.id,
            draft('member.revoked', {}, f.actor),
            idem(f.admin, 'rv', 'fp'),
          );
        const first = await revoke();
        assert.deepEqual(await revoke(), first);
        assert.equal(await lastSeq(store, f.room.name), first.seq);
      });
    });

    describe('checkpoint', () => {
      it('starts empty at version 0', async () => {
        const f = await createRoom(store);
        assert.deepEqual(await store.getCheckpoint(f.room.id), {
          text: '',
          version: 0,
          updated_by: null,
          updated_at: null,
        });
      });

      it('increments the version with each write and appends checkpoint', async () => {
        const f = await createRoom(store);
        const first = await store.setCheckpoint(
          f.room.id,
          { text: 'v1 text', actor: f.actor },
          (version) => draft('checkpoint', { version }, f.actor, T0 + 5),
        );
        assert.deepEqual(first.checkpoint, {
          text: 'v1 text',
          version: 1,
          updated_by: f.actor,
          updated_at: new Date(T0 + 5).toISOString(),
        });
        assert.equal(first.event.type, 'checkpoint');
        assert.equal(first.event.seq, 2);
        assert.deepEqual(first.event.body, { version: 1 });

        const other = await addMember(store, f, ['checkpoint']);
        const second = await store.setCheckpoint(
          f.room.id,
          { text: 'v2 text', expected_version: 1, actor: other.actor },
          (version) => draft('checkpoint', { version }, other.actor, T0 + 9),
        );
        assert.equal(second.checkpoint.version, 2);
        assert.deepEqual(second.event.body, { version: 2 });
        assert.deepEqual(await store.getCheckpoint(f.room.id), second.checkpoint);
        assert.deepEqual((await store.getCheckpoint(f.room.id)).updated_by, other.actor);
      });

      it('accepts expected_version 0 for the first write', async () => {
        const f = await createRoom(store);
        const { checkpoint } = await store.setCheckpoint(
          f.room.id,
          { text: 'first', expected_version: 0, actor: f.actor },
          (version) => draft('checkpoint', { version }),
        );
        assert.equal(checkpoint.version, 1);
      });

      it('refuses a stale expected_version with checkpoint_conflict naming the current state', async () => {
        const f = await createRoom(store);
        const other = await addMember(store, f, ['checkpoint']);
        await store.setCheckpoint(f.room.id, { text: 'one', actor: f.actor }, (v) =>
          draft('checkpoint', { v }),
        );
        const current = await store.setCheckpoint(
          f.room.id,
          { text: 'two', actor: other.actor },
          (v) => draft('checkpoint', { v }, other.actor, T0 + 77),
        );
        const seqBefore = await lastSeq(store, f.room.name);
        await assert.rejects(
          store.setCheckpoint(
            f.room.id,
            { text: 'stale', expected_version: 1, actor: f.actor },
            (v) => draft('checkpoint', { v }),
          ),
          (err: unknown) => {
            assert.deepEqual(pick(err, ['name', 'code', 'kind']), {
              ...huddleError('checkpoint_conflict', 'conflict'),
            });
            const details = (err as { details: Record<string, unknown> }).details;
            assert.equal(details.current_version, 2);
            assert.equal(details.expected_version, 1);
            assert.deepEqual(details.updated_by, other.actor);
            assert.equal(details.updated_at, current.checkpoint.updated_at);
            return true;
          },
        );
        assert.deepEqual(await store.getCheckpoint(f.room.id), current.checkpoint);
        assert.equal(await lastSeq(store, f.room.name), seqBefore);
      });

      it('lets exactly one of two writers with the same expected_version win', async () => {
        const f = await createRoom(store);
        const results = await Promise.allSettled(
          ['left', 'right'].map((text) =>
            store.setCheckpoint(
              f.room.id,
              { text, expected_version: 0, actor: f.actor },
              (version) => draft('checkpoint', { version, text }),
            ),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.equal((lost[0] as PromiseRejectedResult).reason.code, 'checkpoint_conflict');
        const checkpoint = await store.getCheckpoint(f.room.id);
        assert.equal(checkpoint.version, 1);
        assert.deepEqual(
          checkpoint,
          (won[0] as PromiseFulfilledResult<{ checkpoint: typeof checkpoint }>).value.checkpoint,
        );
      });
    });

    describe('pair codes', () => {
      it('appends code.created and redeems into a member with the code scopes', async () => {
        const f = await createRoom(store);
        const code = digest();
        const created = await store.createPairCode(
          {
            digest: code,
            room_id: f.room.id,
            scopes: ['read', 'checkpoint'],
            created_by: f.admin.id,
            created_at: T0,
            expires_at: T0 + 10 * MINUTE,
          },
          draft('code.created', { scopes: ['read', 'checkpoint'] }, f.actor),
        );
        assert.equal(created.seq, 2);
        assert.equal(created.type, 'code.created');

        const { token, result } = redeem(store, code, T0 + MINUTE, 'laptop');
        const joined = await result;
        assert.equal(joined.room.id, f.room.id);
        assert.equal(joined.room.last_seq, 3);
        assert.equal(joined.member.label, 'laptop');
        assert.equal(joined.member.room_id, f.room.id);
        assert.deepEqual(joined.member.scopes, ['read', 'checkpoint']);
        assert.equal(joined.member.revoked_at, null);
        assert.equal(joined.event.seq, 3);
        assert.equal(joined.event.type, 'member.joined');
        assert.deepEqual(joined.event.body, {
          member_id: joined.member.id,
          scopes: ['read', 'checkpoint'],
        });
        assert.deepEqual((await allEvents(store, f.room.id)).at(-1), joined.event);

        const cred = await store.findCredential(token);
        assert.ok(cred);
        assert.deepEqual(cred.member, joined.member);
        assert.equal(cred.room.id, f.room.id);
        assert.deepEqual(await store.listMembers(f.room.id), [f.admin, joined.member]);
      });

      it('refuses an unknown digest with code_not_found', async () => {
        const f = await createRoom(store);
        const { token, result } = redeem(store, digest());
        await assert.rejects(result, huddleError('code_not_found', 'not_found'));
        assert.equal(await store.findCredential(token), null);
        assert.equal(await lastSeq(store, f.room.name), 1);
      });

      it('refuses a code past expires_at with code_expired and creates no member', async () => {
        const f = await createRoom(store);
        const code = await createCode(store, f, ['read'], T0 + 10 * MINUTE);
        const seqBefore = await lastSeq(store, f.room.name);
        const late = redeem(store, code, T0 + 10 * MINUTE + 1);
        await assert.rejects(late.result, huddleError('code_expired', 'gone'));
        assert.equal(await store.findCredential(late.token), null);
        assert.deepEqual(await store.listMembers(f.room.id), [f.admin]);
        assert.equal(await lastSeq(store, f.room.name), seqBefore);
        // The refusal did not consume the code: it still works for a `now` before expiry.
        await redeem(store, code, T0 + 10 * MINUTE - 1).result;
      });

      it('refuses a second redemption with code_used', async () => {
        const f = await createRoom(store);
        const code = await createCode(store, f);
        await redeem(store, code).result;
        const seqBefore = await lastSeq(store, f.room.name);
        const second = redeem(store, code);
        await assert.rejects(second.result, huddleError('code_used', 'conflict'));
        assert.equal(await store.findCredential(second.token), null);
        assert.equal(await lastSeq(store, f.room.name), seqBefore);
        assert.equal((await store.listMembers(f.room.id)).length, 2);
      });

      it('of 20 redemptions of one code started in the same tick, exactly one wins', async () => {
        const f = await createRoom(store);
        const code = await createCode(store, f);
        const attempts = range(1, 20).map((i) => redeem(store, code, T0 + MINUTE, `device-${i}`));
        const results = await Promise.allSettled(attempts.map((a) => a.result));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        assert.equal(won.length, 1);
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.equal(r.reason.name, 'HuddleError');
            assert.equal(r.reason.code, 'code_used');
          }
        }
        const members = await store.listMembers(f.room.id);
        assert.equal(members.length, 2);
        const joins = (await allEvents(store, f.room.id)).filter((e) => e.type === 'member.joined');
        assert.equal(joins.length, 1);
        const creds = await Promise.all(attempts.map((a) => store.findCredential(a.token)));
        assert.equal(creds.filter((c) => c !== null).length, 1);
        assert.notEqual(creds[won[0]!], null);
      });
    });

    describe('tokens', () => {
      it('rotateToken retires the old digest and activates the new one', async () => {
        const f = await createRoom(store);
        const fresh = digest();
        const event = await store.rotateToken(
          f.adminToken,
          { digest: fresh, member_id: f.admin.id, created_at: T0 + MINUTE },
          f.room.id,
          draft('member.token_rotated', { member_id: f.admin.id }, f.actor),
        );
        assert.equal(event.type, 'member.token_rotated');
        assert.equal(event.seq, 2);
        assert.equal(await store.findCredential(f.adminToken), null);
        const cred = await store.findCredential(fresh);
        assert.ok(cred);
        assert.deepEqual(cred.member, f.admin);
        assert.equal(cred.room.id, f.room.id);
      });

      it('rotateToken refuses an unknown old digest with unknown_token and changes nothing', async () => {
        const f = await createRoom(store);
        const fresh = digest();
        await assert.rejects(
          store.rotateToken(
            digest(),
            { digest: fresh, member_id: f.admin.id, created_at: T0 },
            f.room.id,
            draft('member.token_rotated'),
          ),
          huddleError('unknown_token', 'unauthenticated'),
        );
        assert.equal(await store.findCredential(fresh), null);
        assert.notEqual(await store.findCredential(f.adminToken), null);
        assert.equal(await lastSeq(store, f.room.name), 1);
      });

      it('a rotated-away digest cannot be rotated again', async () => {
        const f = await createRoom(store);
        const second = digest();
        await store.rotateToken(
          f.adminToken,
          { digest: second, member_id: f.admin.id, created_at: T0 },
          f.room.id,
          draft('member.token_rotated'),
        );
        await assert.rejects(
          store.rotateToken(
            f.adminToken,
            { digest: digest(), member_id: f.admin.id, created_at: T0 },
            f.room.id,
            draft('member.token_rotated'),
          ),
          huddleError('unknown_token', 'unauthenticated'),
        );
        assert.notEqual(await store.findCredential(second), null);
      });
    });

    describe('revokeMember', () => {
      it('marks the member revoked, removes its tokens and appends member.revoked', async () => {
        const f = await createRoom(store);
        const other = await addMember(store, f);
        const event = await store.revokeMember(
          f.room.id,
          other.member.id,
          draft('member.revoked', { member_id: other.member.id }, f.actor, T0 + 2 * MINUTE),
        );
        assert.equal(event.type, 'member.revoked');
        assert.equal(event.seq, await lastSeq(store, f.room.name));
        assert.equal(await store.findCredential(other.token), null);
        assert.notEqual(await store.findCredential(f.adminToken), null);
        // The token itself is gone, not only hidden: it cannot be rotated into a new one.
        const fresh = digest();
        await assert.rejects(
          store.rotateToken(
            other.token,
            { digest: fresh, member_id: other.member.id, created_at: T0 },
            f.room.id,
            draft('member.token_rotated'),
          ),
          huddleError('unknown_token', 'unauthenticated'),
        );
        assert.equal(await store.findCredential(fresh), null);
        const members = await store.listMembers(f.room.id);
        assert.deepEqual(
          members.map((m) => m.id),
          [f.admin.id, other.member.id],
        );
        assert.notEqual(members[1]!.revoked_at, null);
        assert.equal(members[0]!.revoked_at, null);
      });

      it('refuses an already revoked member with member_revoked', async () => {
        const f = await createRoom(store);
        const other = await addMember(store, f);
        await store.revokeMember(f.room.id, other.member.id, draft('member.revoked'));
        const seqBefore = await lastSeq(store, f.room.name);
        await assert.rejects(
          store.revokeMember(f.room.id, other.member.id, draft('member.revoked')),
          huddleError('member_revoked', 'conflict'),
        );
        assert.equal(await lastSeq(store, f.room.name), seqBefore);
      });

      it('refuses an unknown member, or one of another room, with member_not_found', async () => {
        const f = await createRoom(store);
        const elsewhere = await createRoom(store);
        const stranger = await addMember(store, elsewhere);
        await assert.rejects(
          store.revokeMember(f.room.id, id('mem'), draft('member.revoked')),
          huddleError('member_not_found', 'not_found'),
        );
        await assert.rejects(
          store.revokeMember(f.room.id, stranger.member.id, draft('member.revoked')),
          huddleError('member_not_found', 'not_found'),
        );
        assert.notEqual(await store.findCredential(stranger.token), null);
        assert.equal(await lastSeq(store, f.room.name), 1);
      });

      it('refuses to revoke the last live admin with last_admin', async () => {
        const f = await createRoom(store);
        await addMember(store, f, ['read', 'write', 'checkpoint']);
        await assert.rejects(
          store.revokeMember(f.room.id, f.admin.id, draft('member.revoked')),
          huddleError('last_admin', 'conflict'),
        );
        assert.notEqual(await store.findCredential(f.adminToken), null);

        const second = await addMember(store, f, ['admin']);
        await store.revokeMember(f.room.id, f.admin.id, draft('member.revoked'));
        assert.equal(await store.findCredential(f.adminToken), null);
        await assert.rejects(
          store.revokeMember(f.room.id, second.member.id, draft('member.revoked')),
          huddleError('last_admin', 'conflict'),
        );
        assert.notEqual(await store.findCredential(second.token), null);
      });
    });

    describe('deleteRoom', () => {
      it('removes the room with its members, tokens, codes and events, and frees its name', async () => {
        const f = await createRoom(store, 'doomed');
        const keep = await createRoom(store, 'kept');
        const other = await addMember(store, f);
        const code = await createCode(store, f);
        await store.appendEvent(f.room.id, draft('note'));
        await store.deleteRoom(f.room.id);

        assert.equal(await store.findRoom('doomed'), null);
        assert.equal(await store.findCredential(f.adminToken), null);
        assert.equal(await store.findCredential(other.token), null);
        assert.deepEqual(await store.listEvents(f.room.id, 0, 100), []);
        assert.deepEqual(await store.recentEvents(f.room.id, 100), []);
        assert.deepEqual(await store.listMembers(f.room.id), []);
        await assert.rejects(
          redeem(store, code).result,
          huddleError('code_not_found', 'not_found'),
        );

        // Another room is untouched, and the name can be taken again from scratch.
        assert.deepEqual(await store.findRoom('kept'), keep.room);
        assert.notEqual(await store.findCredential(keep.adminToken), null);
        const again = await createRoom(store, 'doomed');
        assert.equal(again.event.seq, 1);
        assert.deepEqual(seqs(await allEvents(store, again.room.id)), [1]);
      });
    });

    describe('hubCounts', () => {
      it('counts every room, and the agents of every room that are neither offline nor retired', async () => {
        assert.deepEqual(await store.hubCounts(), { rooms: 0, agents_online: 0 });
        const a = await createRoom(store);
        const b = await createRoom(store);
        const agent = (f: Fixture, name: string) =>
          store.registerAgent(
            f.room.id,
            {
              name,
              member_id: f.admin.id,
              at: T0,
              client: 'claude-code',
              model: null,
              host: null,
              cwd: null,
              mcp_servers: [],
              tags: [],
            },
            () => draft('agent.registered', { agent: name }, f.actor),
          );
        for (const name of ['online', 'working', 'gone', 'retired']) await agent(a, name);
        await agent(b, 'online');
        // An agent registered quietly exists offline until something speaks for it.
        await store.registerAgent(
          b.room.id,
          {
            name: 'quiet',
            member_id: b.admin.id,
            at: T0,
            client: 'codex',
            model: null,
            host: null,
            cwd: null,
            mcp_servers: [],
            tags: [],
          },
          () => draft('agent.registered'),
          { quiet: true },
        );
        const status = (f: Fixture, name: string, to: 'working' | 'offline' | 'retired') =>
          store.touchAgent(f.room.id, name, T0, to, () => draft('agent.status'));
        await status(a, 'working', 'working');
        await status(a, 'gone', 'offline');
        await status(a, 'retired', 'retired');
        assert.deepEqual(await store.hubCounts(), { rooms: 2, agents_online: 3 });

        await store.deleteRoom(b.room.id);
        assert.deepEqual(await store.hubCounts(), { rooms: 1, agents_online: 2 });
      });
    });

    describe('prune', () => {
      it('forgets idempotency records older than `before`, so their keys work again', async () => {
        const f = await createRoom(store);
        await store.appendEvent(f.room.id, draft('note'), idem(f.admin, 'old', 'fp-a', T0));
        await store.appendEvent(
          f.room.id,
          draft('note'),
          idem(f.admin, 'new', 'fp-a', T0 + 2 * MINUTE),
        );
        await store.prune(T0 + MINUTE);

        const reused = await store.appendEvent(
          f.room.id,
          draft('note', { again: true }),
          idem(f.admin, 'old', 'fp-b', T0 + 3 * MINUTE),
        );
        assert.equal(reused.seq, 4);
        assert.deepEqual(reused.body, { again: true });
        await assert.rejects(
          store.appendEvent(f.room.id, draft('note'), idem(f.admin, 'new', 'fp-b')),
          huddleError('idempotency_key_reused', 'conflict'),
        );
      });

      it('removes codes that expired before `before` and keeps the others', async () => {
        const f = await createRoom(store);
        const expired = await createCode(store, f, ['read'], T0 + 5 * MINUTE);
        const valid = await createCode(store, f, ['read'], T0 + 20 * MINUTE);
        const now = T0 + 7 * MINUTE;
        await assert.rejects(
          redeem(store, expired, now).result,
          huddleError('code_expired', 'gone'),
        );
        await store.prune(T0 + 6 * MINUTE);
        await assert.rejects(
          redeem(store, expired, now).result,
          huddleError('code_not_found', 'not_found'),
        );
        await redeem(store, valid, now).result;
      });
    });

    describe('atomicity', () => {
      it('a redemption that fails part-way leaves the code unused and adds no member', async () => {
        const f = await createRoom(store);
        const code = await createCode(store, f);
        const seqBefore = await lastSeq(store, f.room.name);
        // The new token's digest is taken, which can only be found after the code was used.
        const clash = store.redeemPairCode({
          digest: code,
          now: T0 + MINUTE,
          member: { id: id('mem'), label: 'clash', created_at: T0 + MINUTE },
          token_digest: f.adminToken,
          event: () => draft('member.joined'),
        });
        await assert.rejects(clash);
        assert.deepEqual(await store.listMembers(f.room.id), [f.admin]);
        assert.equal(await lastSeq(store, f.room.name), seqBefore);
        assert.equal((await store.findCredential(f.adminToken))?.member.id, f.admin.id);
        await redeem(store, code).result;
      });

      it('a room creation that fails part-way leaves no room behind', async () => {
        const f = await createRoom(store);
        const attempt = store.createRoom({
          room: { id: id('room'), name: 'half', created_at: T0 },
          member: { id: id('mem'), label: 'x', scopes: ['admin'], created_at: T0 },
          token_digest: f.adminToken,
          event: draft('room.created'),
        });
        await assert.rejects(attempt);
        assert.equal(await store.findRoom('half'), null);
        assert.equal((await store.findCredential(f.adminToken))?.room.id, f.room.id);
        await createRoom(store, 'half');
      });
    });

    describe('group commit', () => {
      it('a write that fails does not undo the other writes started in the same tick', async () => {
        const f = await createRoom(store, 'busy');
        const results = await Promise.allSettled([
          store.appendEvent(f.room.id, draft('note', { n: 1 })),
          store.setCheckpoint(f.room.id, { text: 'x', expected_version: 7, actor: f.actor }, (v) =>
            draft('checkpoint', { v }),
          ),
          store.appendEvent(f.room.id, draft('note', { n: 2 })),
          createRoom(store, 'busy'),
          store.revokeMember(f.room.id, f.admin.id, draft('member.revoked')),
          store.appendEvent(f.room.id, draft('note', { n: 3 })),
        ]);
        assert.deepEqual(
          results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.code)),
          ['ok', 'checkpoint_conflict', 'ok', 'room_exists', 'last_admin', 'ok'],
        );
        const events = await allEvents(store, f.room.id);
        assert.deepEqual(seqs(events), [1, 2, 3, 4]);
        assert.deepEqual(
          events.slice(1).map((e) => e.body.n),
          [1, 2, 3],
        );
        assert.equal((await store.getCheckpoint(f.room.id)).version, 0);
        assert.notEqual(await store.findCredential(f.adminToken), null);
      });
    });
  });
}

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, source[k]]));
}
