// The live-connection cases every Store must pass (presence across hubs sharing a database),
// written only against the Store interface.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../src/core/store.js';
import type { EventDraft, Room } from '../../src/core/types.js';
import type { OpenedStore } from './store-contract.js';

const T0 = Date.UTC(2026, 0, 1);
const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const draft = (type: string, body: Record<string, unknown> = {}): EventDraft => ({
  id: id('ev'),
  ts: T0,
  actor: null,
  type,
  body,
});

async function createRoom(store: Store): Promise<Room> {
  const name = id('room').replace('_', '-');
  const created = await store.createRoom({
    room: { id: id('room'), name, created_at: T0 },
    member: { id: id('mem'), label: 'admin', scopes: ['admin'], created_at: T0 },
    token_digest: randomBytes(32).toString('hex'),
    event: draft('room.created', { name }),
  });
  return created.room;
}

export function runPresenceContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store presence contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    let room: Room;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      room = await createRoom(store);
    });
    afterEach(() => opened.cleanup());

    it("closeConnection counts the agent's other live connections in that room only", async () => {
      const other = await createRoom(store);
      await store.openConnection(room.id, 'bob', 'c1', T0 + 60_000);
      await store.openConnection(room.id, 'bob', 'c2', T0 + 60_000);
      await store.openConnection(room.id, 'bob', 'c3', T0 + 60_000);
      await store.openConnection(room.id, 'alice', 'c4', T0 + 60_000);
      await store.openConnection(other.id, 'bob', 'c5', T0 + 60_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c1', T0), { others: 2 });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c2', T0), { others: 1 });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c3', T0), { others: 0 });
      assert.deepEqual(await store.closeConnection(room.id, 'alice', 'c4', T0), { others: 0 });
      assert.deepEqual(await store.closeConnection(other.id, 'bob', 'c5', T0), { others: 0 });
    });

    it('of two closes of the last two connections at once, exactly one sees no other', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 60_000);
      await store.openConnection(room.id, 'bob', 'c2', T0 + 60_000);
      const answers = await Promise.all([
        store.closeConnection(room.id, 'bob', 'c1', T0),
        store.closeConnection(room.id, 'bob', 'c2', T0),
      ]);
      assert.deepEqual(answers.map((a) => a.others).sort(), [0, 1]);
    });

    it('a close issued right after the open of the same id wins', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 60_000);
      const opened = store.openConnection(room.id, 'bob', 'c2', T0 + 60_000);
      const closed = store.closeConnection(room.id, 'bob', 'c2', T0);
      await opened;
      assert.deepEqual(await closed, { others: 1 });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c1', T0), { others: 0 });
    });

    it('opening an id again replaces its record: it counts once, with its new expiry', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 10);
      await store.openConnection(room.id, 'bob', 'c1', T0 + 60_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'other', T0 + 1000), {
        others: 1,
      });
    });

    it('a connection counts until its expiry, not at it', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 10_000);
      await store.openConnection(room.id, 'bob', 'c2', T0 + 60_000);
      await store.openConnection(room.id, 'bob', 'c3', T0 + 60_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c2', T0 + 9_999), {
        others: 2,
      });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c3', T0 + 10_000), {
        others: 0,
      });
    });

    it('renewConnections extends the given ones, expired ones included, in one call', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 10_000);
      await store.openConnection(room.id, 'bob', 'c2', T0 + 10_000);
      await store.openConnection(room.id, 'bob', 'c3', T0 + 10_000);
      await store.openConnection(room.id, 'bob', 'closer', T0 + 10_000);
      // c2 and c3 already expired at T0 + 20 s when renewed; c1 is left out; unknown ids are ignored.
      await store.renewConnections(['c2', 'c3', 'unknown'], T0 + 60_000);
      await store.renewConnections([], T0 + 90_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'closer', T0 + 20_000), {
        others: 2,
      });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c2', T0 + 59_999), {
        others: 1,
      });
    });

    it('closing an unknown id, or one already closed, changes nothing', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 60_000);
      await store.openConnection(room.id, 'bob', 'c2', T0 + 60_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'unknown', T0), { others: 2 });
      assert.deepEqual(await store.closeConnection(room.id, 'nobody', 'unknown', T0), {
        others: 0,
      });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c1', T0), { others: 1 });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c1', T0), { others: 1 });
      assert.deepEqual(await store.closeConnection('room_missing', 'bob', 'c2', T0), {
        others: 0,
      });
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c2', T0), { others: 0 });
    });

    it('deleting the room forgets its connections; opening one in a missing room stores nothing', async () => {
      await store.openConnection(room.id, 'bob', 'c1', T0 + 60_000);
      await store.deleteRoom(room.id);
      await store.openConnection(room.id, 'bob', 'c2', T0 + 60_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'c3', T0), { others: 0 });
      // A room made again, under the same id, starts with none.
      const again = await store.createRoom({
        room: { id: room.id, name: room.name, created_at: T0 },
        member: { id: id('mem'), label: 'admin', scopes: ['admin'], created_at: T0 },
        token_digest: randomBytes(32).toString('hex'),
        event: draft('room.created', { name: room.name }),
      });
      await store.renewConnections(['c1', 'c2'], T0 + 90_000);
      assert.deepEqual(await store.closeConnection(again.room.id, 'bob', 'c3', T0), {
        others: 0,
      });
    });

    it('prune forgets connections expired before its cutoff: renewing them brings none back', async () => {
      await store.openConnection(room.id, 'bob', 'old', T0 + 10_000);
      await store.openConnection(room.id, 'bob', 'recent', T0 + 30_000);
      await store.prune(T0 + 20_000);
      await store.renewConnections(['old', 'recent'], T0 + 90_000);
      assert.deepEqual(await store.closeConnection(room.id, 'bob', 'closer', T0 + 60_000), {
        others: 1,
      });
    });
  });
}
