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
  /** Hands the frame over; false when the connection refused it (it is closing). */
  send(frame: Buffer, event: RoomEvent): boolean;
  /** The room was deleted: nothing more will come. */
  gone(): void;
  /** Resolves when the connection has room for more; catching up waits on it between events. */
  drained(): Promise<void>;
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

export function createRoomFeed(room: Room, hub: Hub, onError: (err: unknown) => void): RoomFeed {
  const encodeEvent = (event: RoomEvent) =>
    Buffer.from(`{"type":"event","event":${hub.stream.eventJson(event)}}`);
  const subs = new Set<FeedSubscriber>();
  // Everything up to `head` has been handed to every live subscriber.
  let head = 0;
  let pumping = false;
  let again = false;
  let closed = false;
  const ready = hub.stream.roomHead(room.id).then((seq) => {
    head = seq;
  });

  function dispatch(event: RoomEvent) {
    head = event.seq;
    let frame: Buffer | undefined;
    for (const sub of subs) {
      if (!sub.live || event.seq <= sub.cursor) continue;
      if (sub.send((frame ??= encodeEvent(event)), event)) sub.cursor = event.seq;
      else subs.delete(sub);
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
        for (let page = 0; ; page++) {
          if (closed) return;
          const events = await hub.stream.readEvents(room.id, head, PAGE);
          for (const e of events) if (e.seq > head) dispatch(e);
          // A notice that brought nothing new may say the room was deleted.
          if (page === 0 && events.length === 0 && !(await hub.stream.roomExists(room.id))) {
            for (const sub of [...subs]) sub.gone();
            return;
          }
          if (events.length < PAGE) break;
        }
      } while (again);
    } catch (err) {
      onError(err);
    } finally {
      pumping = false;
    }
  }

  const unsubscribe = hub.stream.onRoomEvent(room.id, () => void pump());

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
        const events = await hub.stream.readEvents(room.id, sub.cursor, PAGE);
        for (const e of events) {
          if (e.seq <= sub.cursor) continue;
          // A backlog goes out no faster than the client reads it, so a prompt reader is never shed.
          await sub.drained();
          if (!subs.has(sub) || e.seq <= sub.cursor) continue;
          if (!sub.send(encodeEvent(e), e)) {
            subs.delete(sub);
            return;
          }
          sub.cursor = e.seq;
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
