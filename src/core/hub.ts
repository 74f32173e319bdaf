// The Hub: every use-case of huddle. The only code that touches the Store and the Bus.

import type { RoomCall } from './call.js';
import type { HistoryResponse, JoinResponse, PairCodeResponse, ReadResponse } from './api-types.js';
import { iso } from './clock.js';
import { HuddleError } from './errors.js';
import type { RoomExport } from './export.js';
import {
  createHubContext,
  type HubDeps,
  type Principal,
  type RequestContext,
} from './hub-context.js';
import {
  CHECKPOINT_MAX_BYTES,
  NOTE_MAX_BYTES,
  assertLabel,
  assertPageLimit,
  assertTextSize,
  assertWait,
  invalidCursor,
} from './limits.js';
import { createActivity } from './activity.js';
import { createApprovals } from './approvals.js';
import { createSessions } from './sessions.js';
import { createLeases } from './leases.js';
import { createMessaging } from './messaging.js';
import { createTasks } from './tasks.js';
import { createVariables } from './variables.js';
import { createPresence } from './presence.js';
import { createPush } from './push.js';
import { createHubStatus } from './hub-status.js';
import { WEB_SESSION_IDLE_MS, createWebSessions } from './web-sessions.js';
import { assertLocalOwner } from './local-owner.js';
import { addOwnerMember } from './owner-member.js';
import { assertRoomName, generateRoomName } from './names.js';
import { mintPairCode, normalizePairCode } from './pair-codes.js';
import { randomId } from './random.js';
import { parseScopes } from './scopes.js';
import { assertTokenShape, digestSecret, mintToken, sameDigest } from './tokens.js';
import type { Checkpoint, Member, MemberKind, Room, RoomEvent, Scope } from './types.js';

export { isLoopbackAddress } from './loopback.js';
export type {
  HubDeps,
  HubOptions,
  HubRateLimits,
  Principal,
  RequestContext,
} from './hub-context.js';

export const DEFAULT_READ_LIMIT = 20;
export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_CODE_TTL_SECONDS = 24 * 3600;

/**
 * The Hub, by domain: `hub.rooms`, `hub.members`, `hub.presence`, `hub.messaging`, `hub.tasks`,
 * `hub.variables`, `hub.leases`, `hub.sessions`, `hub.approvals`, `hub.push`, `hub.web` (browser
 * sessions), `hub.stream` (what the stream gateway needs) and `hub.operations` (the process).
 */
export type Hub = ReturnType<typeof createHub>;

export function createHub(deps: HubDeps) {
  const ctx = createHubContext(deps);
  const { store, clock, random, options, limits, actorOf, draft, announce, idempotency, enter } =
    ctx;

  const ownerMember = (roomId: string, input: Parameters<typeof addOwnerMember>[2]) =>
    addOwnerMember(ctx, roomId, input);

  function newMember(label: string) {
    return { id: randomId(random, 'mem', 12), label, created_at: clock.now() };
  }

  /** Creates a room whose first member (an admin) is the caller; a name is drawn when none is given. */
  async function create(wanted: string | undefined, label: string): Promise<JoinResponse> {
    assertLabel(label);
    if (wanted !== undefined) assertRoomName(wanted);
    const token = mintToken(random);
    const member = { ...newMember(label), scopes: ['admin'] as Scope[] };
    // A generated name may collide; draw again a few times before giving up.
    for (let attempt = 0; ; attempt++) {
      const name = wanted ?? generateRoomName(random);
      try {
        const created = await store.createRoom({
          room: { id: randomId(random, 'room'), name, created_at: member.created_at },
          member,
          token_digest: digestSecret(token),
          event: {
            ...draft({ member_id: member.id, label: member.label }, 'room.created', { name }),
            ts: member.created_at,
          },
        });
        announce(created.event, created.room.id);
        return { room: created.room, member: created.member, token };
      } catch (err) {
        const retry = wanted === undefined && attempt < 5;
        if (!(retry && err instanceof HuddleError && err.code === 'room_exists')) throw err;
      }
    }
  }

  const presence = createPresence(ctx);

  /** Who may enter a room: tokens, pair codes, local joins, members and their tokens. */
  const members = {
    async authenticate(token: string | undefined): Promise<Principal> {
      if (!token) {
        throw new HuddleError(
          'unauthenticated',
          'missing_token',
          'No token: send "Authorization: Bearer hd_...". Create a room or join one with a pair code to get a token.',
        );
      }
      assertTokenShape(token);
      const found = await store.findCredential(digestSecret(token));
      if (!found) {
        throw new HuddleError(
          'unauthenticated',
          'unknown_token',
          'The token is not valid: it was revoked or rotated, or its room was deleted. Join again with a new pair code.',
        );
      }
      return found;
    },

    /**
     * A client on the hub's own machine that holds the local secret (a file in HUDDLE_HOME
     * readable only by its user) gets an admin token for `room`, created when missing: one
     * machine needs no pairing.
     */
    async localJoin(
      ctx: RequestContext,
      input: { secret: string; room: string; label: string },
    ): Promise<JoinResponse & { created: boolean }> {
      await limits.join.take(ctx.address);
      limits.global.take('*');
      assertLocalOwner(
        options.local_secret,
        ctx.address,
        input.secret,
        "Joining without a pair code works only on the hub's own machine (a hub bound to loopback). Ask a room admin for a pair code instead.",
      );
      assertRoomName(input.room);
      assertLabel(input.label);
      const existing = await store.findRoom(input.room);
      if (!existing) {
        try {
          return { ...(await create(input.room, input.label)), created: true };
        } catch (err) {
          // Another local client created it a moment ago: join it like any existing room.
          if (!(err instanceof HuddleError && err.code === 'room_exists')) throw err;
        }
      }
      const room = existing ?? (await store.findRoom(input.room))!;
      const token = mintToken(random);
      // Every local client of one machine is one member: same label, one more token each.
      const members = await store.listMembers(room.id);
      const same = members.find(
        (m) => m.label === input.label && !m.revoked_at && m.scopes.includes('admin'),
      );
      if (same) {
        const event = await store.addToken(
          room.id,
          { digest: digestSecret(token), member_id: same.id, created_at: clock.now() },
          draft({ member_id: same.id, label: same.label }, 'member.token_added', {
            member_id: same.id,
            via: 'local',
          }),
        );
        announce(event, room.id);
        return { room, member: same, token, created: false };
      }
      const joined = await ownerMember(room.id, {
        label: input.label,
        kind: 'device',
        via: 'local',
      });
      return { ...joined, created: false };
    },

    async createPairCode(
      p: Principal,
      roomName: string,
      input: { scopes?: string[] | undefined; ttl_seconds?: number | undefined },
    ): Promise<PairCodeResponse> {
      const room = await enter(p, roomName, 'admin', true);
      const scopes = parseScopes(input.scopes ?? ['read', 'write', 'checkpoint']);
      const ttl = input.ttl_seconds ?? options.code_ttl_seconds;
      if (!Number.isInteger(ttl) || ttl < 10 || ttl > MAX_CODE_TTL_SECONDS) {
        throw new HuddleError(
          'invalid',
          'invalid_ttl',
          `ttl_seconds must be an integer from 10 to ${MAX_CODE_TTL_SECONDS}.`,
          {
            details: { field: 'ttl_seconds', min: 10, max: MAX_CODE_TTL_SECONDS },
          },
        );
      }
      const code = mintPairCode(random);
      const now = clock.now();
      const expiresAt = now + ttl * 1000;
      const event = await store.createPairCode(
        {
          digest: digestSecret(code),
          room_id: room.id,
          scopes,
          created_by: p.member.id,
          created_at: now,
          expires_at: expiresAt,
        },
        draft(actorOf(p), 'code.created', { scopes, expires_at: iso(expiresAt) }),
      );
      announce(event, room.id);
      return { room: room.name, code, scopes, expires_at: iso(expiresAt) };
    },

    async redeemPairCode(
      ctx: RequestContext,
      input: { code: string; label: string; kind?: MemberKind | undefined },
    ): Promise<JoinResponse> {
      const code = normalizePairCode(input.code);
      assertLabel(input.label);
      await limits.join.take(ctx.address);
      limits.global.take('*');
      const token = mintToken(random);
      const member = { ...newMember(input.label), kind: input.kind ?? 'device' };
      const joined = await store.redeemPairCode({
        digest: digestSecret(code),
        now: clock.now(),
        member,
        token_digest: digestSecret(token),
        event: (m) => ({
          ...draft({ member_id: m.id, label: m.label }, 'member.joined', {
            member_id: m.id,
            label: m.label,
            scopes: m.scopes,
          }),
          ts: member.created_at,
        }),
      });
      announce(joined.event, joined.room.id);
      return { room: joined.room, member: joined.member, token };
    },

    async whoami(p: Principal, roomName: string): Promise<{ room: Room; member: Member }> {
      await enter(p, roomName, null);
      return { room: p.room, member: p.member };
    },

    async listMembers(p: Principal, roomName: string): Promise<{ members: Member[] }> {
      const room = await enter(p, roomName, 'read');
      return { members: await store.listMembers(room.id) };
    },

    async rotateToken(p: Principal, roomName: string): Promise<{ member: Member; token: string }> {
      const room = await enter(p, roomName, null, true);
      const token = mintToken(random);
      const event = await store.rotateToken(
        p.token_digest,
        { digest: digestSecret(token), member_id: p.member.id, created_at: clock.now() },
        room.id,
        draft(actorOf(p), 'member.token_rotated', { member_id: p.member.id }),
      );
      announce(event, room.id);
      return { member: p.member, token };
    },

    async revokeMember(
      call: RoomCall,
      input: { member_id: string },
    ): Promise<{ event: RoomEvent }> {
      const { principal: p, room: roomName, key } = call;
      const memberId = input.member_id;
      const idem = idempotency(p, key, 'revoke', { memberId });
      const { room, replay } = await ctx.enterWrite(p, roomName, 'admin', idem);
      if (replay && 'event' in replay) return { event: replay.event };
      const members = await store.listMembers(room.id);
      const target = members.find((m) => m.id === memberId);
      const event = await store.revokeMember(
        room.id,
        memberId,
        draft(actorOf(p), 'member.revoked', { member_id: memberId, label: target?.label ?? null }),
        idem,
      );
      announce(event, room.id);
      return { event };
    },
  };

  /** A room itself: creating and deleting it, its log, notes and checkpoint, its activity. */
  const rooms = {
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

    async read(
      p: Principal,
      roomName: string,
      input: { limit?: number | undefined } = {},
    ): Promise<ReadResponse> {
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
      p: Principal,
      roomName: string,
      input: {
        after?: number | undefined;
        limit?: number | undefined;
        wait?: number | undefined;
      } = {},
    ): Promise<HistoryResponse> {
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

    async getCheckpoint(p: Principal, roomName: string): Promise<{ checkpoint: Checkpoint }> {
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
    async exportRoom(p: Principal, roomName: string): Promise<RoomExport> {
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

    async deleteRoom(p: Principal, roomName: string): Promise<{ deleted: string }> {
      const room = await enter(p, roomName, 'admin', true);
      await store.deleteRoom(room.id);
      ctx.lookups.forgetRoom(room.id);
      ctx.recent.forget(room.id);
      // A notice without a new event: live feeds of the room look, find it gone, and end.
      ctx.bus.publish({ room_id: room.id, seq: 0 });
      return { deleted: room.name };
    },
  };

  /** For the stream gateway, which pushes events to live connections. */
  const stream = {
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

  /** The hub as a process: its status, its upkeep, its shutdown. */
  const operations = {
    ...createHubStatus(ctx),

    /** Ends every long-poll in progress, so that shutdown does not wait for them. */
    endWaits(): void {
      ctx.endWaits();
    },

    /** Forgets expired idempotency keys and pair codes, and idle rate-limit state. */
    async housekeeping(): Promise<void> {
      for (const limiter of Object.values(limits)) limiter.prune();
      await store.prune(clock.now() - options.idempotency_retention_seconds * 1000);
      await store.deleteIdleWebSessions(clock.now() - WEB_SESSION_IDLE_MS);
    },
  };

  return {
    rooms,
    members,
    presence,
    messaging: createMessaging(ctx),
    tasks: createTasks(ctx),
    variables: createVariables(ctx),
    leases: createLeases(ctx),
    sessions: createSessions(ctx),
    approvals: createApprovals(ctx),
    push: createPush(ctx),
    web: createWebSessions(ctx, {
      redeemPairCode: members.redeemPairCode,
      authenticate: members.authenticate,
      registerAgent: presence.registerAgent,
    }),
    stream,
    operations,
  };
}
