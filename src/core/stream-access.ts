// What the stream gateway needs of the hub: who may follow a room live, its events from memory
// or the store, and notices of new ones.

import { type Principal } from './hub-context.js';
import type { Room, RoomEvent } from './types.js';
import type { HubContext } from './hub-context.js';

export function createStreamAccess(ctx: HubContext) {
  const { store, enter } = ctx;
  return {
    /** Checks that `p` may follow `roomName` live (scope read), counting one room operation. */
    async authorizeStream(p: Principal, roomName: string): Promise<Room> {
      const room = await enter(p, roomName, 'read');
      // A connection may outlive its room: its credential was read before the deletion.
      await ctx.assertStillValid(p);
      return room;
    },

    /** Checks that `p` may act as agent `name` in `room`; the connection then speaks for it. */
    async bindAgent(p: Principal, room: Room, name: string): Promise<void> {
      await ctx.actingAgent(p, room, name);
    },

    /** Whether the principal's token still works (it was not rotated or revoked since). */
    async stillValid(p: Principal): Promise<boolean> {
      return ctx.lookups.tokenValid(p.token_digest);
    },

    /** Whether the room still exists (every room keeps its first event until deleted). */
    async roomExists(roomId: string): Promise<boolean> {
      return (await store.listEvents(roomId, 0, 1)).length > 0;
    },

    /** Events after `after`, for a room already authorized: from memory when it can, else the store. */
    async readEvents(roomId: string, after: number, limit: number): Promise<RoomEvent[]> {
      const recent = ctx.recent.after(roomId, after, limit);
      if (recent) return recent;
      const events = await store.listEvents(roomId, after, limit);
      // Events from the store may be another hub's: what they change is looked up again.
      for (const event of events) ctx.lookups.observe(event, roomId);
      return events;
    },

    /** An event as JSON, serialized once however many connections it goes to. */
    eventJson(event: RoomEvent): string {
      return ctx.recent.json(event);
    },

    /** The seq of the room's newest event. */
    async roomHead(roomId: string): Promise<number> {
      return (await store.recentEvents(roomId, 1)).at(-1)?.seq ?? 0;
    },

    /** Calls `listener` after each committed event of the room; returns the unsubscribe function. */
    onRoomEvent(roomId: string, listener: () => void): () => void {
      return ctx.bus.subscribe(roomId, listener);
    },
  };
}
