// The in-process Bus: notices go synchronously to this process's subscribers, in publish order.

import type { Bus, BusNotice } from '../core/bus.js';

/**
 * A listener that throws is reported to `onError` and never stops the others or the publisher.
 * `dispatch` hands any notice, a resync too, to a room's subscribers: buses that carry notices
 * between processes build on it.
 */
export function createLocalBus(
  onError: (err: unknown) => void = () => {},
): Bus & { dispatch(notice: BusNotice): void } {
  const listeners = new Map<string, Set<(n: BusNotice) => void>>();
  let closed = false;
  const dispatch = (notice: BusNotice) => {
    if (closed) return;
    const set = listeners.get(notice.room_id);
    if (!set) return;
    for (const listener of [...set]) {
      // One removed by an earlier listener of this same notice hears no more.
      if (!set.has(listener)) continue;
      try {
        listener(notice);
      } catch (err) {
        onError(err);
      }
    }
  };
  return {
    publish: dispatch,
    dispatch,
    subscribe(roomId, listener) {
      let set = listeners.get(roomId);
      if (!set) listeners.set(roomId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(roomId) === set) listeners.delete(roomId);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
