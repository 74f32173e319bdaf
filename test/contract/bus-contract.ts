// The cases every Bus implementation must pass, written only against the Bus interface. Two
// instances opened by `open` stand for two hub processes on the same broker (for the in-process
// bus, both are the same bus: there is only one process).

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Bus, BusNotice } from '../../src/core/bus.js';

/** What a bus implementation hands the contract. */
export interface OpenedBuses {
  /** The bus a hub publishes on. */
  publisher: Bus;
  /** The bus another hub listens on (the same object for an in-process bus). */
  listener: Bus;
  /** Errors the buses reported (listeners that threw). */
  errors: unknown[];
  cleanup(): Promise<void>;
}

/** Resolves when `count` notices arrived, or fails after `ms`. */
function collect(bus: Bus, room: string, count: number, ms = 2000) {
  const seen: BusNotice[] = [];
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<BusNotice[]>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`got ${seen.length} of ${count} notices`)), ms);
    unsubscribe = bus.subscribe(room, (notice) => {
      seen.push(notice);
      if (seen.length === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
  // A case that never awaits `done` (it expects fewer notices) must not leave a rejection behind.
  done.catch(() => {});
  return {
    seen,
    done,
    unsubscribe: () => {
      clearTimeout(timer);
      unsubscribe();
    },
  };
}

const seqs = (notices: BusNotice[]) => notices.map((n) => ('seq' in n ? n.seq : 'resync'));
const settle = () => new Promise((r) => setTimeout(r, 50));

export function runBusContract(name: string, open: () => Promise<OpenedBuses>): void {
  describe(`Bus contract: ${name}`, () => {
    let buses: OpenedBuses;
    beforeEach(async () => {
      buses = await open();
    });
    afterEach(async () => {
      await buses.cleanup();
    });

    it("delivers a room's notices to its subscribers, in publish order", async () => {
      const a = collect(buses.listener, 'room-a', 100);
      const b = collect(buses.listener, 'room-a', 100);
      for (let seq = 1; seq <= 100; seq++) buses.publisher.publish({ room_id: 'room-a', seq });
      const expected = Array.from({ length: 100 }, (_, i) => i + 1);
      assert.deepEqual(seqs(await a.done), expected);
      assert.deepEqual(seqs(await b.done), expected);
      a.unsubscribe();
      b.unsubscribe();
    });

    it('keeps rooms apart', async () => {
      const a = collect(buses.listener, 'room-a', 1);
      const b = collect(buses.listener, 'room-b', 1);
      buses.publisher.publish({ room_id: 'room-b', seq: 7 });
      assert.deepEqual(seqs(await b.done), [7]);
      await settle();
      assert.deepEqual(a.seen, [], 'room-a heard nothing of room-b');
      buses.publisher.publish({ room_id: 'room-a', seq: 1 });
      assert.deepEqual(seqs(await a.done), [1]);
      a.unsubscribe();
      b.unsubscribe();
    });

    it('stops delivering to a subscriber that unsubscribed, and only to it', async () => {
      const stays = collect(buses.listener, 'room-a', 2);
      const leaves = collect(buses.listener, 'room-a', 2);
      buses.publisher.publish({ room_id: 'room-a', seq: 1 });
      await settle();
      leaves.unsubscribe();
      leaves.unsubscribe(); // twice is harmless
      buses.publisher.publish({ room_id: 'room-a', seq: 2 });
      assert.deepEqual(seqs(await stays.done), [1, 2]);
      await settle();
      assert.deepEqual(seqs(leaves.seen), [1]);
      stays.unsubscribe();
    });

    it('a listener that throws is reported and stops neither the others nor the publisher', async () => {
      const off = buses.listener.subscribe('room-a', () => {
        throw new Error('listener failed');
      });
      const healthy = collect(buses.listener, 'room-a', 2);
      buses.publisher.publish({ room_id: 'room-a', seq: 1 });
      buses.publisher.publish({ room_id: 'room-a', seq: 2 });
      assert.deepEqual(seqs(await healthy.done), [1, 2]);
      assert.ok(buses.errors.length >= 2, 'both failures were reported');
      off();
      healthy.unsubscribe();
    });

    it('a listener removed by another during a notice does not hear it', async () => {
      let second: () => void = () => {};
      const heardBySecond: BusNotice[] = [];
      const first = buses.listener.subscribe('room-a', () => second());
      second = buses.listener.subscribe('room-a', (n) => heardBySecond.push(n));
      const witness = collect(buses.listener, 'room-a', 1);
      buses.publisher.publish({ room_id: 'room-a', seq: 1 });
      await witness.done;
      assert.deepEqual(heardBySecond, []);
      first();
      witness.unsubscribe();
    });

    it('after close, publishing is harmless and nothing is delivered', async () => {
      const heard = collect(buses.listener, 'room-a', 1);
      await buses.listener.close();
      if (buses.publisher !== buses.listener) await buses.publisher.close();
      assert.doesNotThrow(() => buses.publisher.publish({ room_id: 'room-a', seq: 1 }));
      await settle();
      assert.deepEqual(heard.seen, []);
      heard.unsubscribe();
    });
  });
}
