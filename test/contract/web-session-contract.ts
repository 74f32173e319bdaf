// The browser session, room list and token removal cases every Store must pass, written only
// against the Store interface.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { EventDraft, Room } from '../../src/core/types.js';
import { huddleError, type OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
const digest = () => randomBytes(32).toString('hex');
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const draft = (type: string, body: Record<string, unknown> = {}): EventDraft => ({
  id: id('ev'),
  ts: T0,
  actor: null,
  type,
  body,
});

export function runWebSessionContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract, browser sessions: ${name}`, () => {
    let opened: OpenedStore;
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    async function room(
      roomName: string,
      at = T0,
    ): Promise<{ room: Room; memberId: string; token: string }> {
      const token = digest();
      const created = await opened.store.createRoom({
        room: { id: id('room'), name: roomName, created_at: at },
        member: { id: id('mem'), label: 'admin', scopes: ['admin'], created_at: T0 },
        token_digest: token,
        event: draft('room.created'),
      });
      return { room: created.room, memberId: created.member.id, token };
    }

    it('keeps a session with its rooms, replaces a room entry, forgets rooms and sessions', async () => {
      const { store } = opened;
      const a = await room('alpha');
      const b = await room('beta');
      const session = {
        digest: digest(),
        csrf_digest: digest(),
        person: 'alice',
        local_owner: false,
        created_at: T0,
        last_seen_at: T0,
      };
      await store.createWebSession(session);
      assert.deepEqual(await store.findWebSession(session.digest), { ...session, rooms: [] });
      assert.equal(await store.findWebSession(digest()), null);

      await store.addWebSessionRoom(session.digest, {
        room_id: b.room.id,
        member_id: b.memberId,
        token_digest: b.token,
        agent: null,
        via: 'token',
      });
      await store.addWebSessionRoom(session.digest, {
        room_id: a.room.id,
        member_id: a.memberId,
        token_digest: a.token,
        agent: 'alice',
        via: 'code',
      });
      const replaced = digest();
      await store.addWebSessionRoom(session.digest, {
        room_id: b.room.id,
        member_id: b.memberId,
        token_digest: replaced,
        agent: 'alice-2',
        via: 'code',
      });
      const found = (await store.findWebSession(session.digest))!;
      assert.deepEqual(found.rooms, [
        {
          room_id: a.room.id,
          room_name: 'alpha',
          member_id: a.memberId,
          token_digest: a.token,
          agent: 'alice',
          via: 'code',
        },
        {
          room_id: b.room.id,
          room_name: 'beta',
          member_id: b.memberId,
          token_digest: replaced,
          agent: 'alice-2',
          via: 'code',
        },
      ]);

      await store.removeWebSessionRoom(session.digest, a.room.id);
      await store.removeWebSessionRoom(session.digest, a.room.id);
      assert.deepEqual(
        (await store.findWebSession(session.digest))!.rooms.map((r) => r.room_name),
        ['beta'],
      );
      // Deleting a room forgets the sessions' entries for it.
      await store.deleteRoom(b.room.id);
      assert.deepEqual((await store.findWebSession(session.digest))!.rooms, []);
      await store.deleteWebSession(session.digest);
      await store.deleteWebSession(session.digest);
      assert.equal(await store.findWebSession(session.digest), null);
    });

    it('records when a session was last seen, and forgets those idle since before a time', async () => {
      const { store } = opened;
      const make = async (seen: number) => {
        const d = digest();
        await store.createWebSession({
          digest: d,
          csrf_digest: digest(),
          person: 'p',
          local_owner: false,
          created_at: T0,
          last_seen_at: T0,
        });
        await store.touchWebSession(d, seen);
        return d;
      };
      const old = await make(T0 + 1000);
      const recent = await make(T0 + 5000);
      assert.equal((await store.findWebSession(recent))!.last_seen_at, T0 + 5000);
      await store.touchWebSession(digest(), T0); // unknown: nothing
      assert.equal(await store.deleteIdleWebSessions(T0 + 2000), 1);
      assert.equal(await store.findWebSession(old), null);
      assert.ok(await store.findWebSession(recent));
      assert.equal(await store.deleteIdleWebSessions(T0 + 2000), 0);
    });

    it('lists every room oldest first', async () => {
      await room('two', T0 + 1000);
      await room('one', T0);
      assert.deepEqual(
        (await opened.store.listRooms()).map((r) => r.name),
        ['one', 'two'],
      );
    });

    it('removes one token of a member and appends its event; another room cannot', async () => {
      const { store } = opened;
      const a = await room('tokens');
      const other = await room('elsewhere');
      const second = digest();
      await store.addToken(
        a.room.id,
        { digest: second, member_id: a.memberId, created_at: T0 },
        draft('member.token_added'),
      );
      const event = await store.removeToken(a.room.id, second, draft('member.token_removed'));
      assert.equal(event.type, 'member.token_removed');
      assert.equal(await store.findCredential(second), null);
      assert.ok(await store.findCredential(a.token), 'the other token still works');
      await assert.rejects(
        store.removeToken(other.room.id, a.token, draft('member.token_removed')),
        huddleError('unknown_token', 'unauthenticated'),
      );
      await assert.rejects(
        store.removeToken(a.room.id, second, draft('member.token_removed')),
        huddleError('unknown_token', 'unauthenticated'),
      );
      assert.ok(await store.findCredential(a.token));
    });

    it('keeps the kind of a member', async () => {
      const { store } = opened;
      const a = await room('kinds');
      const joined = await store.addMember({
        room_id: a.room.id,
        member: {
          id: id('mem'),
          label: 'phone',
          kind: 'person',
          scopes: ['read'],
          created_at: T0 + 1000,
        },
        token_digest: digest(),
        event: () => draft('member.joined'),
      });
      assert.equal(joined.member.kind, 'person');
      const members = await store.listMembers(a.room.id);
      assert.deepEqual(
        members.map((m) => m.kind),
        ['device', 'person'],
      );
    });
  });
}
