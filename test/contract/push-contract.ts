// The hub-setting and push-subscription cases every Store must pass, written only against the Store interface.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PushSubscriptionRecord, Store } from '../../src/core/store.js';
import type { EventDraft, Member, Room } from '../../src/core/types.js';
import { huddleError, type OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const draft = (type: string, body: Record<string, unknown> = {}): EventDraft => ({
  id: id('ev'),
  ts: T0,
  actor: null,
  type,
  body,
});

async function createRoom(store: Store): Promise<{ room: Room; admin: Member }> {
  const name = id('room').replace('_', '-');
  const created = await store.createRoom({
    room: { id: id('room'), name, created_at: T0 },
    member: { id: id('mem'), label: 'admin', scopes: ['admin'], created_at: T0 },
    token_digest: randomBytes(32).toString('hex'),
    event: draft('room.created', { name }),
  });
  return { room: created.room, admin: created.member };
}

async function addPerson(store: Store, room: Room): Promise<Member> {
  const { member } = await store.addMember({
    room_id: room.id,
    member: { id: id('mem'), label: 'alice', kind: 'person', scopes: ['read'], created_at: T0 },
    token_digest: randomBytes(32).toString('hex'),
    event: (m) => draft('member.joined', { member_id: m.id }),
  });
  return member;
}

const sub = (room: Room, member: Member, n: number, at = T0): PushSubscriptionRecord => ({
  room_id: room.id,
  member_id: member.id,
  endpoint: `https://push.example.com/${n}`,
  p256dh: `p256dh-${n}`,
  auth: `auth-${n}`,
  created_at: at + n,
});

export function runPushContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store push contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    it('hubSetting: the first value stored wins, for concurrent first calls too', async () => {
      const values = await Promise.all(['a', 'b', 'c'].map((v) => store.hubSetting('k', () => v)));
      assert.equal(new Set(values).size, 1);
      let made = false;
      const again = await store.hubSetting('k', () => {
        made = true;
        return 'z';
      });
      assert.deepEqual([again, made], [values[0], false]);
      assert.equal(await store.hubSetting('other', () => 'x'), 'x');
    });

    it('putPushSubscription: stores, replaces keys of the same endpoint, and keeps to the limit', async () => {
      const { room } = await createRoom(store);
      const alice = await addPerson(store, room);
      assert.deepEqual(await store.putPushSubscription(sub(room, alice, 1), 2), { created: true });
      assert.deepEqual(await store.putPushSubscription(sub(room, alice, 2), 2), { created: true });
      const renewed = { ...sub(room, alice, 1), p256dh: 'new', created_at: T0 + 99 };
      assert.deepEqual(await store.putPushSubscription(renewed, 2), { created: false });
      await assert.rejects(
        store.putPushSubscription(sub(room, alice, 3), 2),
        huddleError('too_many_push_subscriptions', 'conflict'),
      );
      const list = await store.listPushSubscriptions(room.id, alice.id);
      assert.deepEqual(list, [{ ...sub(room, alice, 1), p256dh: 'new' }, sub(room, alice, 2)]);
      assert.deepEqual(await store.pushRoomIds(), [room.id]);
    });

    it('putPushSubscription: refuses a member that is unknown or revoked', async () => {
      const { room } = await createRoom(store);
      const alice = await addPerson(store, room);
      await assert.rejects(
        store.putPushSubscription({ ...sub(room, alice, 1), member_id: 'mem_nobody' }, 10),
        huddleError('member_not_found', 'not_found'),
      );
      await store.revokeMember(room.id, alice.id, draft('member.revoked'));
      await assert.rejects(
        store.putPushSubscription(sub(room, alice, 1), 10),
        huddleError('member_revoked', 'conflict'),
      );
      assert.deepEqual(await store.listPushSubscriptions(room.id), []);
    });

    it('deletes one, all of a member, and all of a deleted room', async () => {
      const { room, admin } = await createRoom(store);
      const alice = await addPerson(store, room);
      for (const n of [1, 2, 3]) await store.putPushSubscription(sub(room, alice, n), 10);
      await store.putPushSubscription(sub(room, admin, 4), 10);
      assert.equal(
        await store.deletePushSubscription(room.id, alice.id, sub(room, alice, 1).endpoint),
        true,
      );
      assert.equal(
        await store.deletePushSubscription(room.id, alice.id, sub(room, alice, 1).endpoint),
        false,
      );
      assert.equal(await store.deleteMemberPushSubscriptions(room.id, alice.id), 2);
      assert.deepEqual(
        (await store.listPushSubscriptions(room.id)).map((s) => s.member_id),
        [admin.id],
      );
      await store.deleteRoom(room.id);
      assert.deepEqual(await store.listPushSubscriptions(room.id), []);
      assert.deepEqual(await store.pushRoomIds(), []);
    });
  });
}
