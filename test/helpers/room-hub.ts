// A Hub in this process over SQLite in memory with a manual clock, one room with its admin, and the
// refusal check the unit tests share.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { createLocalBus } from '../../src/bus/local-bus.js';
import { createManualClock } from '../../src/core/clock.js';
import { createHub, type HubOptions, type Principal } from '../../src/core/hub.js';
import { cryptoRandom } from '../../src/core/random.js';
import type { RoomEvent } from '../../src/core/types.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testHubOptions } from './hub-options.js';

export const HERE = { address: '10.0.0.1' };

/** The hub, its clock, room `room` and its admin; `member()` pairs a read+write member in. */
export async function startRoomHub(
  t: TestContext,
  room: string,
  options: HubOptions = testHubOptions(),
) {
  const store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  const bus = createLocalBus((err) => {
    throw err;
  });
  const clock = createManualClock();
  const hub = createHub({ store, bus, clock, random: cryptoRandom, options });
  t.after(() => store.close());
  const created = await hub.rooms.createRoom(HERE, { name: room, label: 'owner' });
  const admin = await hub.members.authenticate(created.token);
  async function member(label: string): Promise<Principal> {
    const { code } = await hub.members.createPairCode(
      { principal: admin, room },
      { scopes: ['read', 'write'] },
    );
    const joined = await hub.members.redeemPairCode(HERE, { code, label });
    return hub.members.authenticate(joined.token);
  }
  const events = async (after = 0): Promise<RoomEvent[]> =>
    (await hub.rooms.history({ principal: admin, room }, { after, limit: 100 })).events;
  const head = async () => (await hub.rooms.read({ principal: admin, room }, { limit: 1 })).cursor;
  return { hub, store, clock, admin, member, events, head };
}

/** Awaits a refusal and checks that it is a HuddleError with this code and kind. */
export async function refused(promise: Promise<unknown>, code: string, kind: string) {
  const err = await promise.then(
    () => assert.fail(`expected a refusal (${code})`),
    (e: unknown) =>
      e as { name: string; code: string; kind: string; message: string; details: any },
  );
  assert.deepEqual([err.name, err.code, err.kind], ['HuddleError', code, kind], err.message);
  return err;
}
