// A room itself: creating and deleting it, its log, notes and checkpoint, its activity.

import type { RoomCall } from '../call.js';
import type { HistoryResponse, JoinResponse, ReadResponse } from '../api-types.js';
import { iso } from '../clock.js';
import { HuddleError } from '../errors.js';
import type { RoomExport } from './export.js';
import { type RequestContext } from '../hub-context.js';
import {
  CHECKPOINT_MAX_BYTES,
  NOTE_MAX_BYTES,
  assertPageLimit,
  assertTextSize,
  assertWait,
  invalidCursor,
} from '../limits.js';
import { createActivity } from './activity.js';
import { digestSecret, sameDigest } from '../members/tokens.js';
import type { Checkpoint, RoomEvent } from '../types.js';
import type { HubContext } from '../hub-context.js';
import { createRoomCreation } from '../members/room-creation.js';

/** Events a read returns unless asked for another number. */
export const DEFAULT_READ_LIMIT = 20;
/** Events a page of history holds unless asked for another number. */
export const DEFAULT_HISTORY_LIMIT = 50;

export function createRooms(ctx: HubContext) {
  const { store, clock, options, limits, actorOf, draft, announce, idempotency, enter } = ctx;
  const { create } = createRoomCreation(ctx);
  return {
    ...createActivity(ctx),

    async createRoom(
      ctx: RequestContext,
      input: { name?: string | undefined; label: string; create_secret?: string | undefined },
    ): Promise<JoinResponse> {
      // Counted before the secret is checked, so guessing it is rate limited too.
      await limits.roomCreate.take(ctx.address);
      limits.global.take('*');
      if (options.create_secret !== undefined) {
        const given = input.create_secret ?? '';
        if (!sameDigest(digestSecret(given), digestSecret(options.create_secret))) {
          throw new HuddleError(
            'forbidden',
            'create_secret_required',
            'This hub only creates rooms for callers with its create secret, and none or a wrong one was given: pass it as "create_secret" in the body or the X-Huddle-Create-Secret header (CLI: --create-secret or HUDDLE_CREATE_SECRET).',
          );
        }
      }
      return create(input.name, input.label);
    },

    async read(call: RoomCall, input: { limit?: number | undefined } = {}): Promise<ReadResponse> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const limit = input.limit ?? DEFAULT_READ_LIMIT;
      assertPageLimit(limit);
      const events = await store.recentEvents(room.id, limit);
      const checkpoint = await store.getCheckpoint(room.id);
      const cursor = events.at(-1)?.seq ?? 0;
      return {
        room: { ...room, last_seq: Math.max(room.last_seq, cursor) },
        checkpoint,
        events,
        cursor,
      };
    },

    async history(
      call: RoomCall,
      input: {
        after?: number | undefined;
        limit?: number | undefined;
        wait?: number | undefined;
      } = {},
    ): Promise<HistoryResponse> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const after = input.after ?? 0;
      const limit = input.limit ?? DEFAULT_HISTORY_LIMIT;
      if (!Number.isInteger(after) || after < 0) throw invalidCursor();
      assertPageLimit(limit);
      const wait = input.wait ?? 0;
      assertWait(wait);
      // One extra row tells whether another page exists without a second query; with `wait`, the
      // request is held until an event arrives or the time runs out.
      const rows = await ctx.longPoll(p, room.id, wait, () =>
        store.listEvents(room.id, after, limit + 1),
      );
      const events = rows.slice(0, limit);
      return { events, next_after: events.at(-1)?.seq ?? after, has_more: rows.length > limit };
    },

    async writeNote(call: RoomCall, input: { text: string }): Promise<{ event: RoomEvent }> {
      const { principal: p, room: roomName, key } = call;
      const idem = idempotency(p, key, 'note', input);
      const { room, replay } = await ctx.enterWrite(p, roomName, 'write', idem);
      if (replay && 'event' in replay) return { event: replay.event };
      if (input.text.trim() === '') {
        throw new HuddleError('invalid', 'empty_note', 'The note is empty: write some Markdown.', {
          details: { field: 'text' },
        });
      }
      assertTextSize('note', input.text, NOTE_MAX_BYTES, 'text');
      const event = await store.appendEvent(
        room.id,
        draft(actorOf(p), 'note', { text: input.text }),
        idem,
      );
      announce(event, room.id);
      return { event };
    },

    async getCheckpoint(call: RoomCall): Promise<{ checkpoint: Checkpoint }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      return { checkpoint: await store.getCheckpoint(room.id) };
    },

    async setCheckpoint(
      call: RoomCall,
      input: { text: string; expected_version?: number | undefined },
    ): Promise<{ checkpoint: Checkpoint; event: RoomEvent }> {
      const { principal: p, room: roomName, key } = call;
      const idem = idempotency(p, key, 'checkpoint', input);
      const { room, replay } = await ctx.enterWrite(p, roomName, 'checkpoint', idem);
      if (replay && 'result' in replay)
        return replay.result as { checkpoint: Checkpoint; event: RoomEvent };
      assertTextSize('checkpoint', input.text, CHECKPOINT_MAX_BYTES, 'text');
      if (
        input.expected_version !== undefined &&
        (!Number.isInteger(input.expected_version) || input.expected_version < 0)
      ) {
        throw new HuddleError(
          'invalid',
          'invalid_version',
          'expected_version must be a non-negative integer.',
          {
            details: { field: 'expected_version' },
          },
        );
      }
      const actor = actorOf(p);
      const result = await store.setCheckpoint(
        room.id,
        { text: input.text, expected_version: input.expected_version, actor },
        (version) => draft(actor, 'checkpoint', { text: input.text, version }),
        idem,
      );
      announce(result.event, room.id);
      return result;
    },

    /** Every event of the room in order, page by page, with the room and its checkpoint. */
    async exportRoom(call: RoomCall): Promise<RoomExport> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const [checkpoint, members] = await Promise.all([
        store.getCheckpoint(room.id),
        store.listMembers(room.id),
      ]);
      async function* events(): AsyncIterable<RoomEvent> {
        let after = 0;
        for (;;) {
          const page = await store.listEvents(room.id, after, 500);
          yield* page;
          if (page.length < 500) return;
          after = page.at(-1)!.seq;
        }
      }
      return { room, checkpoint, members, events: events(), exported_at: iso(clock.now()) };
    },

    async deleteRoom(call: RoomCall): Promise<{ deleted: string }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'admin', true);
      await store.deleteRoom(room.id);
      ctx.lookups.forgetRoom(room.id);
      ctx.recent.forget(room.id);
      // A notice without a new event: live feeds of the room look, find it gone, and end.
      ctx.bus.publish({ room_id: room.id, seq: 0 });
      return { deleted: room.name };
    },
  };
}
