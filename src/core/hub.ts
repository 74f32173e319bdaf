// The Hub: every use-case of huddle. The only code that touches the Store and the Bus.

import { createHash } from 'node:crypto';
import type { Bus } from './bus.js';
import type { Clock } from './clock.js';
import { iso } from './clock.js';
import { HuddleError } from './errors.js';
import type { RoomExport } from './export.js';
import {
  CHECKPOINT_MAX_BYTES,
  NOTE_MAX_BYTES,
  assertIdempotencyKey,
  assertLabel,
  assertPageLimit,
  invalidCursor,
  assertTextSize,
} from './limits.js';
import { assertRoomName, generateRoomName } from './names.js';
import { mintPairCode, normalizePairCode } from './pair-codes.js';
import type { RandomSource } from './random.js';
import { randomId } from './random.js';
import { createRateLimiter, type RateLimit } from './rate-limiter.js';
import { assertScope, parseScopes } from './scopes.js';
import type { Credential, Idempotency, Store } from './store.js';
import { assertTokenShape, digestSecret, mintToken, sameDigest } from './tokens.js';
import type { Actor, Checkpoint, EventDraft, Member, Room, RoomEvent, Scope } from './types.js';

export interface HubRateLimits {
  /** Room creation per client address. */
  room_create: RateLimit;
  /** Pair code redemption per client address. */
  join: RateLimit;
  /** Every room operation per token. */
  room_ops: RateLimit;
  /** Writes (notes, checkpoints, codes, revocations) per token. */
  writes: RateLimit;
  /** Room operations of the whole hub. */
  global_room_ops: RateLimit;
}

export interface HubOptions {
  code_ttl_seconds: number;
  rate_limits: HubRateLimits;
  /** When set, creating a room needs this secret. */
  create_secret?: string | undefined;
  /** How long idempotency keys are remembered. */
  idempotency_retention_seconds: number;
}

export interface HubDeps {
  store: Store;
  bus: Bus;
  clock: Clock;
  random: RandomSource;
  options: HubOptions;
}

/** Where a request came from, as the transport saw it. */
export interface RequestContext {
  address: string;
}

/** An authenticated caller: a live member of one room. */
export type Principal = Credential;

export const DEFAULT_READ_LIMIT = 20;
export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_CODE_TTL_SECONDS = 24 * 3600;

export interface JoinResult {
  room: Room;
  member: Member;
  token: string;
}

export type Hub = ReturnType<typeof createHub>;

export function createHub(deps: HubDeps) {
  const { store, bus, clock, random, options } = deps;
  const limits = {
    roomCreate: createRateLimiter('room_create', options.rate_limits.room_create, clock),
    join: createRateLimiter('join', options.rate_limits.join, clock),
    roomOps: createRateLimiter('room_ops', options.rate_limits.room_ops, clock),
    writes: createRateLimiter('writes', options.rate_limits.writes, clock),
    global: createRateLimiter('global_room_ops', options.rate_limits.global_room_ops, clock),
  };

  const actorOf = (p: Principal): Actor => ({ member_id: p.member.id, label: p.member.label });
  const draft = (actor: Actor | null, type: string, body: Record<string, unknown>): EventDraft => ({
    id: randomId(random, 'ev'),
    ts: clock.now(),
    actor,
    type,
    body,
  });
  const announce = (event: RoomEvent, roomId: string) =>
    bus.publish({ room_id: roomId, seq: event.seq });

  function idempotency(
    p: Principal,
    key: string | undefined,
    op: string,
    input: unknown,
  ): Idempotency | undefined {
    if (key === undefined) return undefined;
    assertIdempotencyKey(key);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([op, p.room.id, input]))
      .digest('hex');
    return { member_id: p.member.id, key, fingerprint, at: clock.now() };
  }

  /**
   * Checks that the principal may act on `roomName` (with `scope`, when one is needed), then
   * counts the operation. Limits are keyed on the member, so rotating a token does not reset them.
   */
  async function enter(
    p: Principal,
    roomName: string,
    scope: Scope | null,
    write = false,
  ): Promise<Room> {
    if (p.room.name !== roomName) {
      assertRoomName(roomName, 'room');
      if (!(await store.findRoom(roomName))) {
        throw new HuddleError(
          'not_found',
          'room_not_found',
          `There is no room "${roomName}" on this hub. Check the name with "huddle rooms".`,
          { details: { room: roomName } },
        );
      }
      throw new HuddleError(
        'forbidden',
        'wrong_room',
        `This token belongs to room "${p.room.name}", not "${roomName}". Use the token stored for that room, or join it with a pair code.`,
        { details: { room: roomName } },
      );
    }
    if (scope) assertScope(p.member.scopes, scope);
    limits.global.take('*');
    limits.roomOps.take(p.member.id);
    if (write) limits.writes.take(p.member.id);
    return p.room;
  }

  function newMember(label: string) {
    return { id: randomId(random, 'mem', 12), label, created_at: clock.now() };
  }

  return {
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

    async createRoom(
      ctx: RequestContext,
      input: { name?: string | undefined; label: string; create_secret?: string | undefined },
    ): Promise<JoinResult> {
      // Counted before the secret is checked, so guessing it is rate limited too.
      limits.roomCreate.take(ctx.address);
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
      assertLabel(input.label);
      if (input.name !== undefined) assertRoomName(input.name);
      const token = mintToken(random);
      const member = { ...newMember(input.label), scopes: ['admin'] as Scope[] };
      // A generated name may collide; draw again a few times before giving up.
      for (let attempt = 0; ; attempt++) {
        const name = input.name ?? generateRoomName(random);
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
          const retry = input.name === undefined && attempt < 5;
          if (!(retry && err instanceof HuddleError && err.code === 'room_exists')) throw err;
        }
      }
    },

    async createPairCode(
      p: Principal,
      roomName: string,
      input: { scopes?: string[] | undefined; ttl_seconds?: number | undefined },
    ): Promise<{ room: string; code: string; scopes: Scope[]; expires_at: string }> {
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
      input: { code: string; label: string },
    ): Promise<JoinResult> {
      const code = normalizePairCode(input.code);
      assertLabel(input.label);
      limits.join.take(ctx.address);
      limits.global.take('*');
      const token = mintToken(random);
      const member = newMember(input.label);
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

    async read(
      p: Principal,
      roomName: string,
      input: { limit?: number | undefined } = {},
    ): Promise<{ room: Room; checkpoint: Checkpoint; events: RoomEvent[]; cursor: number }> {
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
      input: { after?: number | undefined; limit?: number | undefined } = {},
    ): Promise<{ events: RoomEvent[]; next_after: number; has_more: boolean }> {
      const room = await enter(p, roomName, 'read');
      const after = input.after ?? 0;
      const limit = input.limit ?? DEFAULT_HISTORY_LIMIT;
      if (!Number.isInteger(after) || after < 0) {
        throw new HuddleError(
          'invalid',
          'invalid_cursor',
          'after must be a non-negative integer (an event seq).',
          {
            details: { field: 'after' },
          },
        );
      }
      assertPageLimit(limit);
      // One extra row tells whether another page exists without a second query.
      const rows = await store.listEvents(room.id, after, limit + 1);
      const events = rows.slice(0, limit);
      return { events, next_after: events.at(-1)?.seq ?? after, has_more: rows.length > limit };
    },

    async writeNote(
      p: Principal,
      roomName: string,
      input: { text: string },
      key?: string,
    ): Promise<{ event: RoomEvent }> {
      const room = await enter(p, roomName, 'write', true);
      if (input.text.trim() === '') {
        throw new HuddleError('invalid', 'empty_note', 'The note is empty: write some Markdown.', {
          details: { field: 'text' },
        });
      }
      assertTextSize('note', input.text, NOTE_MAX_BYTES);
      const event = await store.appendEvent(
        room.id,
        draft(actorOf(p), 'note', { text: input.text }),
        idempotency(p, key, 'note', input),
      );
      announce(event, room.id);
      return { event };
    },

    async getCheckpoint(p: Principal, roomName: string): Promise<{ checkpoint: Checkpoint }> {
      const room = await enter(p, roomName, 'read');
      return { checkpoint: await store.getCheckpoint(room.id) };
    },

    async setCheckpoint(
      p: Principal,
      roomName: string,
      input: { text: string; expected_version?: number | undefined },
      key?: string,
    ): Promise<{ checkpoint: Checkpoint; event: RoomEvent }> {
      const room = await enter(p, roomName, 'checkpoint', true);
      assertTextSize('checkpoint', input.text, CHECKPOINT_MAX_BYTES);
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
        idempotency(p, key, 'checkpoint', input),
      );
      announce(result.event, room.id);
      return result;
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
      p: Principal,
      roomName: string,
      memberId: string,
      key?: string,
    ): Promise<{ event: RoomEvent }> {
      const room = await enter(p, roomName, 'admin', true);
      const members = await store.listMembers(room.id);
      const target = members.find((m) => m.id === memberId);
      const event = await store.revokeMember(
        room.id,
        memberId,
        draft(actorOf(p), 'member.revoked', { member_id: memberId, label: target?.label ?? null }),
        idempotency(p, key, 'revoke', { memberId }),
      );
      announce(event, room.id);
      return { event };
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
      return { deleted: room.name };
    },

    /** Forgets expired idempotency keys and pair codes, and idle rate-limit state. */
    async housekeeping(): Promise<void> {
      for (const limiter of Object.values(limits)) limiter.prune();
      await store.prune(clock.now() - options.idempotency_retention_seconds * 1000);
    },
  };
}
