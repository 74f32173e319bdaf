// The PostgreSQL Bus (LISTEN/NOTIFY) against the Bus contract, with two buses standing for two hub
// processes; then what only a bus between processes does: a resync after its LISTEN connection
// dropped, and the poll that finds a room's new events when a notification never came.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Bus, BusNotice } from '../../src/core/bus.js';
import { channelOf, openPgBus } from '../../src/bus/pg-bus.js';
import { openBus } from '../../src/bus/open-bus.js';
import { postgresSkip, TEST_PG_URL } from '../helpers/postgres.js';
import { runBusContract } from './bus-contract.js';
import { openTempPg } from './pg-temp.js';

const skip = await postgresSkip();

/** Resolves with the first notice `match` accepts, or fails after `ms`. */
function next(bus: Bus, room: string, match: (n: BusNotice) => boolean, ms = 5000) {
  return new Promise<BusNotice>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching notice within ${ms} ms`));
    }, ms);
    const off = bus.subscribe(room, (n) => {
      if (!match(n)) return;
      clearTimeout(timer);
      off();
      resolve(n);
    });
  });
}

if (skip) describe.skip(`Bus contract: postgres (${skip})`, () => {});
else {
  runBusContract('postgres (LISTEN/NOTIFY, two buses)', async () => {
    const db = await openTempPg();
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    const publisher = await openPgBus({ url: TEST_PG_URL, schema: db.schema, onError });
    const listener = await openPgBus({ url: TEST_PG_URL, schema: db.schema, onError });
    return {
      publisher,
      listener,
      errors,
      async cleanup() {
        await publisher.close();
        await listener.close();
        await db.cleanup();
      },
    };
  });

  describe('PostgreSQL bus across processes', () => {
    let db: Awaited<ReturnType<typeof openTempPg>>;
    let admin: pg.Client;
    before(async () => {
      db = await openTempPg();
      admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
    });
    after(async () => {
      await admin.end();
      await db.cleanup();
    });

    const room = (name: string) =>
      db.store.createRoom({
        room: { id: `room_${name}`, name, created_at: 1 },
        member: { id: `mem_${name}`, label: 'admin', scopes: ['admin'], created_at: 1 },
        token_digest: name.padEnd(64, '0'),
        event: { id: `ev_${name}`, ts: 1, actor: null, type: 'room.created', body: {} },
      });

    it('hears its own notices at once and never twice', async () => {
      const bus = await openPgBus({ url: TEST_PG_URL, schema: db.schema, pollMs: 0 });
      try {
        const heard: BusNotice[] = [];
        const off = bus.subscribe('room-x', (n) => heard.push(n));
        bus.publish({ room_id: 'room-x', seq: 1 });
        assert.deepEqual(heard, [{ room_id: 'room-x', seq: 1 }], 'delivered synchronously');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(heard.length, 1, 'its own NOTIFY coming back is not delivered again');
        off();
      } finally {
        await bus.close();
      }
    });

    it('after its LISTEN connection is killed, reconnects and tells each followed room to resync', async () => {
      const a = await openPgBus({ url: TEST_PG_URL, schema: db.schema, pollMs: 0 });
      const b = await openPgBus({ url: TEST_PG_URL, schema: db.schema, pollMs: 0 });
      try {
        const resync = next(b, 'room-r', (n) => 'resync' in n);
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'huddle-bus-listen' AND query = $1`,
          [`LISTEN "${channelOf(db.schema)}"`],
        );
        assert.ok(killed.rowCount! >= 1, 'found the LISTEN connections to kill');
        assert.deepEqual(await resync, { room_id: 'room-r', resync: true });
        // And it listens again.
        const heard = next(b, 'room-r', (n) => 'seq' in n && n.seq === 9);
        a.publish({ room_id: 'room-r', seq: 9 });
        await heard;
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("finds a room's new events by its poll when no notification came", async () => {
      const f = await room('polled');
      const bus = await openPgBus({ url: TEST_PG_URL, schema: db.schema, pollMs: 100 });
      try {
        // The first poll tells of the room as it is; a write with no NOTIFY follows.
        await next(bus, f.room.id, (n) => 'seq' in n && n.seq === 1);
        const heard = next(bus, f.room.id, (n) => 'seq' in n && n.seq === 2, 3000);
        await db.store.appendEvent(f.room.id, {
          id: 'ev_quiet',
          ts: 2,
          actor: null,
          type: 'note',
          body: {},
        });
        assert.deepEqual(await heard, { room_id: f.room.id, seq: 2 });
      } finally {
        await bus.close();
      }
    });

    it('openBus opens it from the store URL, schema included', async () => {
      const bus = await openBus(`${TEST_PG_URL}?schema=${db.schema}`);
      try {
        const heard = next(bus, 'room-o', () => true);
        bus.publish({ room_id: 'room-o', seq: 3 });
        assert.deepEqual(await heard, { room_id: 'room-o', seq: 3 });
      } finally {
        await bus.close();
      }
    });
  });
}
