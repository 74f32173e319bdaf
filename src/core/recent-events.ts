// The newest events each room committed through this process, kept with their JSON, so live
// fan-out reads neither the store nor serializes an event twice. Only contiguous runs are
// served: any doubt (a gap, an evicted room, another hub's events) falls back to the store.

import type { RoomEvent } from './types.js';

export interface RecentEvents {
  /** Remembers an event just committed; older or repeated seqs are ignored. */
  add(roomId: string, event: RoomEvent): void;
  /**
   * Events with seq > `after`, at most `limit`, when this cache holds the very next one and
   * everything after it without a gap; otherwise null, and the caller asks the store.
   */
  after(roomId: string, after: number, limit: number): RoomEvent[] | null;
  /** The event as JSON, serialized once. */
  json(event: RoomEvent): string;
  forget(roomId: string): void;
}

export function createRecentEvents(options: { perRoom: number; maxBytes: number }): RecentEvents {
  const rooms = new Map<string, RoomEvent[]>();
  const texts = new WeakMap<RoomEvent, string>();
  let bytes = 0;

  const json = (event: RoomEvent) => {
    let text = texts.get(event);
    if (text === undefined) texts.set(event, (text = JSON.stringify(event)));
    return text;
  };
  const drop = (list: RoomEvent[], count: number) => {
    for (const e of list.splice(0, count)) bytes -= json(e).length;
  };

  return {
    add(roomId, event) {
      let list = rooms.get(roomId);
      const last = list?.at(-1);
      if (last && event.seq <= last.seq) return;
      if (!list) rooms.set(roomId, (list = []));
      list.push(event);
      bytes += json(event).length;
      if (list.length > options.perRoom) drop(list, list.length - options.perRoom);
      // Past the byte budget, the rooms written longest ago go first.
      for (const [id, other] of rooms) {
        if (bytes <= options.maxBytes) break;
        drop(other, other.length);
        rooms.delete(id);
      }
      // Keep the room just written at the end of the map's order.
      rooms.delete(roomId);
      if (list.length > 0) rooms.set(roomId, list);
    },
    after(roomId, after, limit) {
      const list = rooms.get(roomId);
      if (!list || list.length === 0) return null;
      const first = list[0]!.seq;
      const index = after + 1 - first;
      if (index < 0 || index >= list.length) return null;
      const out = list.slice(index, index + limit);
      for (let i = 0; i < out.length; i++) if (out[i]!.seq !== after + 1 + i) return null;
      return out;
    },
    json,
    forget(roomId) {
      const list = rooms.get(roomId);
      if (list) drop(list, list.length);
      rooms.delete(roomId);
    },
  };
}
