// The activity log: the room's events filtered by type, actor and time, page by page.

import type { RoomCall } from '../call.js';
import type { ActivityQuery, HistoryResponse } from '../api-types.js';
import { HuddleError } from '../errors.js';
import type { HubContext } from '../hub-context.js';
import { PAGE_MAX, invalidCursor, invalidLimit } from '../limits.js';

/** Left out unless asked for by type: they are upkeep, not activity. */
export const QUIET_TYPES = ['receipt', 'lease.renewed'];
const TYPE_PATTERN = /^(\*|[a-z][a-z_]*(\.[a-z_]+)*(\.\*)?)$/;
const TYPES_MAX = 20;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `1h` before now, or an ISO time, in ms; refuses anything else naming the field. */
export function parseSince(since: string, now: number): number {
  const duration = /^(\d{1,9})([smhdw])$/.exec(since);
  if (duration) return now - Number(duration[1]) * UNITS[duration[2]!]! * 1000;
  const at = /^\d{4}-\d{2}-\d{2}/.test(since) ? Date.parse(since) : NaN;
  if (Number.isNaN(at)) {
    throw new HuddleError(
      'invalid',
      'invalid_since',
      `since must be an ISO time (2026-11-21T12:00:00Z) or a duration like 30m, 1h or 2d; got ${JSON.stringify(since.slice(0, 40))}.`,
      { details: { field: 'since' } },
    );
  }
  return at;
}

function parseTypes(types: string[]): { types?: string[]; exclude?: string[] } {
  if (types.length > TYPES_MAX) {
    throw new HuddleError('invalid', 'invalid_type', `Give at most ${TYPES_MAX} event types.`, {
      details: { field: 'type' },
    });
  }
  for (const t of types) {
    if (!TYPE_PATTERN.test(t)) {
      throw new HuddleError(
        'invalid',
        'invalid_type',
        `${JSON.stringify(t.slice(0, 60))} is not an event type: use a type such as task.claimed, a family such as task.*, or *.`,
        { details: { field: 'type' } },
      );
    }
  }
  if (types.length === 0) return { exclude: QUIET_TYPES };
  if (types.includes('*')) return {};
  return { types: types.map((t) => (t.endsWith('.*') ? t.slice(0, -1) : t)) };
}

export function createActivity(ctx: HubContext) {
  const { store, clock, enter } = ctx;

  return {
    /**
     * Events matching every given filter, oldest first, after the cursor. Receipts and lease
     * renewals are left out unless `types` names them (or is `*`).
     */
    async activity(call: RoomCall, query: ActivityQuery = {}): Promise<HistoryResponse> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const after = query.after ?? 0;
      if (!Number.isSafeInteger(after) || after < 0) throw invalidCursor();
      const limit = query.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) throw invalidLimit();
      const since = query.since === undefined ? undefined : parseSince(query.since, clock.now());
      if (query.actor !== undefined && (query.actor.length === 0 || query.actor.length > 100)) {
        throw new HuddleError('invalid', 'invalid_actor', 'actor must be 1 to 100 characters.', {
          details: { field: 'actor' },
        });
      }
      const rows = await store.queryEvents(room.id, {
        after,
        limit: limit + 1,
        ...parseTypes(query.types ?? []),
        ...(since !== undefined && { since }),
        ...(query.actor !== undefined && { actor: query.actor }),
      });
      const events = rows.slice(0, limit);
      return { events, next_after: events.at(-1)?.seq ?? after, has_more: rows.length > limit };
    },
  };
}
