// Who may enter a room: tokens, pair codes, local joins, members and their tokens.

import type { RoomCall } from '../call.js';
import type { JoinResponse, PairCodeResponse } from '../api-types.js';
import { iso } from '../clock.js';
import { HuddleError } from '../errors.js';
import { type Principal, type RequestContext } from '../hub-context.js';
import { assertLabel } from '../limits.js';
import { assertLocalOwner } from './local-owner.js';
import { assertRoomName } from '../rooms/names.js';
import { mintPairCode, normalizePairCode } from './pair-codes.js';
import { parseScopes } from './scopes.js';
import { assertTokenShape, digestSecret, mintToken } from './tokens.js';
import type { Member, MemberKind, Room, RoomEvent } from '../types.js';
import type { HubContext } from '../hub-context.js';
import { createRoomCreation } from '../members/room-creation.js';

/** The longest a pair code may live. */
export const MAX_CODE_TTL_SECONDS = 24 * 3600;

export function createMembers(ctx: HubContext) {
  const { store, clock, random, options, limits, actorOf, draft, announce, idempotency, enter } =
    ctx;
  const { ownerMember, newMember, create } = createRoomCreation(ctx);
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
      call: RoomCall,
      input: { scopes?: string[] | undefined; ttl_seconds?: number | undefined },
    ): Promise<PairCodeResponse> {
      const { principal: p, room: roomName } = call;
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

    async whoami(call: RoomCall): Promise<{ room: Room; member: Member }> {
      const { principal: p, room: roomName } = call;
      await enter(p, roomName, null);
      return { room: p.room, member: p.member };
    },

    async listMembers(call: RoomCall): Promise<{ members: Member[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      return { members: await store.listMembers(room.id) };
    },

    async rotateToken(call: RoomCall): Promise<{ member: Member; token: string }> {
      const { principal: p, room: roomName } = call;
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
}
