// One room's live feed in this hub process: reads each committed event from the store once,
// encodes it once, and hands the same bytes to every subscriber, in seq order, each event once.

import type { Hub } from '../../core/hub.js';
import type { Room, RoomEvent } from '../../core/types.js';

const PAGE = 256;

export interface FeedSubscriber {
  /** The seq of the last event handed to this subscriber. */
  cursor: number;
  /** False while it catches up from the store on its own; the feed skips it until then. */
  live: boolean;
  send(frame: Buffer, event: RoomEvent): void;
}

export interface RoomFeed {
  readonly room: Room;
  readonly size: number;
  /**
   * Sends the subscriber every event after `after` from the store, then every later one live.
   * Guarantees: per-room order, no gap, no duplicate, whatever arrives while it catches up.
   */
  add(sub: FeedSubscriber, after: number): Promise<void>;
  remove(sub: FeedSubscriber): void;
  close(): void;
}

export function encodeEvent(event: RoomEvent): Buffer {
  return Buffer.from(`{"type":"event","event":${JSON.stringify(event)}}`);
}

export function createRoomFeed(room: Room, hub: Hub, onError: (err: unknown) => void): RoomFeed {
  const subs = new Set<FeedSubscriber>();
  // Everything up to `head` has been handed to every live subscriber.
  let head = 0;
  let pumping = false;
  let again = false;
  let closed = false;
  const ready = hub.roomHead(room.id).then((seq) => {
    head = seq;
  });

  function dispatch(event: RoomEvent) {
    head = event.seq;
    let frame: Buffer | undefined;
    for (const sub of subs) {
      if (!sub.live || event.seq <= sub.cursor) continue;
      sub.cursor = event.seq;
      sub.send((frame ??= encodeEvent(event)), event);
    }
  }

  /** Reads what was committed since `head`; runs once at a time, and again if poked meanwhile. */
  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      await ready;
      do {
        again = false;
        for (;;) {
          if (closed) return;
          const events = await hub.readEvents(room.id, head, PAGE);
          for (const e of events) if (e.seq > head) dispatch(e);
          if (events.length < PAGE) break;
        }
      } while (again);
    } catch (err) {
      onError(err);
    } finally {
      pumping = false;
    }
  }

  const unsubscribe = hub.onRoomEvent(room.id, () => void pump());

  return {
    room,
    get size() {
      return subs.size;
    },
    async add(sub, after) {
      sub.cursor = after;
      sub.live = false;
      subs.add(sub);
      await ready;
      for (;;) {
        if (!subs.has(sub)) return;
        const events = await hub.readEvents(room.id, sub.cursor, PAGE);
        for (const e of events) {
          if (e.seq <= sub.cursor) continue;
          sub.cursor = e.seq;
          sub.send(encodeEvent(e), e);
        }
        // Live only once nothing is left that the feed has already passed on without it.
        if (events.length < PAGE && sub.cursor >= head) {
          sub.live = true;
          return;
        }
      }
    },
    remove(sub) {
      subs.delete(sub);
    },
    close() {
      closed = true;
      subs.clear();
      unsubscribe();
    },
  };
}
