// Browser sessions: a person signs in with a pair code, a token or a one-time ticket from
// `huddle open`, and acts in each room through a member of its own and a `human` agent.

import type { RoomCall } from '../call.js';
import type {
  JoinResponse,
  SessionRoomView,
  WebSessionView,
  WebTicketResponse,
} from '../api-types.js';
import { iso } from '../clock.js';
import { HuddleError } from '../errors.js';
import type { HubContext, Principal, RequestContext } from '../hub-context.js';
import { assertAgentName } from '../presence/agent-input.js';
import { assertLabel } from '../limits.js';
import { assertLocalOwner } from './local-owner.js';
import { addOwnerMember } from './owner-member.js';
import type { WebSessionRecord, WebSessionRoom } from '../store.js';
import { digestSecret, mintToken, sameDigest } from './tokens.js';
import type { Agent, MemberKind, Room, RoomEvent } from '../types.js';

/** How long a `huddle open` link works. */
export const WEB_TICKET_TTL_MS = 30_000;
/** A browser that stays away this long is signed out: its session is forgotten. */
export const WEB_SESSION_IDLE_MS = 30 * 24 * 3600 * 1000;
/** The person's name when the sign-in gives none. */
export const DEFAULT_PERSON = 'human';

const SECRET_PATTERN = /^hs_[A-Za-z0-9_-]{43}$/;

/** What the browser presents: the cookie's secret and the page's `X-Huddle-CSRF` value. */
export interface SessionKeys {
  secret: string | undefined;
  csrf: string | undefined;
}

export type SignInInput =
  | { code: string; name?: string | undefined }
  | { token: string; name?: string | undefined }
  | { ticket: string; name?: string | undefined };

export interface SignInResult extends WebSessionView {
  /** Set when a new session was made: the cookie's value. */
  secret?: string;
  csrf: string;
}

export interface WebSessionDeps {
  redeemPairCode(
    ctx: RequestContext,
    input: { code: string; label: string; kind?: MemberKind },
  ): Promise<JoinResponse>;
  authenticate(token: string | undefined): Promise<Principal>;
  registerAgent(
    call: RoomCall,
    input: { name: string; client: 'human' },
  ): Promise<{ agent: Agent; event: RoomEvent }>;
}

function notSignedIn(): HuddleError {
  return new HuddleError(
    'unauthenticated',
    'not_signed_in',
    'This browser is not signed in (or was signed out): sign in with a pair code, a join link or a token.',
  );
}

export function createWebSessions(ctx: HubContext, deps: WebSessionDeps) {
  const { store, clock, random, options, limits, draft, announce } = ctx;
  /** One-time links of `huddle open`, by digest; kept in this process only, for seconds. */
  const tickets = new Map<string, number>();

  /** Registers the person's agent, under its name or the first free `name-N`. */
  async function personAgent(p: Principal, name: string): Promise<string | null> {
    for (let n = 1; n <= 9; n++) {
      const candidate = n === 1 ? name : `${name}-${n}`;
      try {
        await deps.registerAgent(
          { principal: p, room: p.room.name },
          { name: candidate, client: 'human' },
        );
        return candidate;
      } catch (err) {
        if (!(err instanceof HuddleError)) throw err;
        // A member that may not write cannot speak in the room: it only watches.
        if (err.code === 'insufficient_scope') return null;
        if (err.code !== 'agent_name_taken' && err.code !== 'agent_retired') throw err;
      }
    }
    return null;
  }

  /** A member of its own, kind person, in a room the local owner holds. */
  async function joinAsOwner(room: Room, name: string): Promise<Omit<WebSessionRoom, 'room_name'>> {
    const joined = await addOwnerMember(ctx, room.id, {
      label: `${name} (browser)`,
      kind: 'person',
      via: 'browser',
    });
    const p: Principal = { token_digest: digestSecret(joined.token), member: joined.member, room };
    const agent = await personAgent(p, name);
    return {
      room_id: room.id,
      member_id: joined.member.id,
      token_digest: p.token_digest,
      agent,
      via: 'local',
    };
  }

  /** Rooms made since a local owner's browser signed in are joined when it next looks. */
  async function followNewRooms(record: WebSessionRecord): Promise<WebSessionRecord> {
    if (!record.local_owner) return record;
    const known = new Set(record.rooms.map((r) => r.room_id));
    const fresh = (await store.listRooms()).filter((r) => !known.has(r.id));
    if (fresh.length === 0) return record;
    for (const room of fresh) {
      await store.addWebSessionRoom(record.digest, await joinAsOwner(room, record.person));
    }
    return (await store.findWebSession(record.digest)) ?? record;
  }

  async function view(record: WebSessionRecord): Promise<SessionRoomView[]> {
    const rooms: SessionRoomView[] = [];
    for (const entry of record.rooms) {
      const found = await store.findCredential(entry.token_digest);
      if (found) rooms.push({ room: found.room, member: found.member, agent: entry.agent });
    }
    return rooms;
  }

  /** The session a request presents, checked: its secret, then the page's CSRF value. */
  async function open(keys: SessionKeys): Promise<WebSessionRecord> {
    if (!keys.secret || !SECRET_PATTERN.test(keys.secret)) throw notSignedIn();
    const record = await store.findWebSession(digestSecret(keys.secret));
    if (!record) throw notSignedIn();
    if (clock.now() - record.last_seen_at > WEB_SESSION_IDLE_MS) {
      // Unused for too long: the cookie and its CSRF value, wherever they are now, end here.
      await store.deleteWebSession(record.digest);
      throw notSignedIn();
    }
    if (!keys.csrf) {
      throw new HuddleError(
        'unauthenticated',
        'csrf_required',
        'A request signed in by cookie must also send the X-Huddle-CSRF header the sign-in returned.',
      );
    }
    if (!sameDigest(digestSecret(keys.csrf), record.csrf_digest)) {
      throw new HuddleError(
        'forbidden',
        'csrf_mismatch',
        'The X-Huddle-CSRF header does not match this browser session: reload the cockpit, or sign in again.',
      );
    }
    return record;
  }

  /** Ends the browser's hold on one room: its own member is revoked, a borrowed token deleted. */
  async function release(record: WebSessionRecord, entry: WebSessionRoom): Promise<void> {
    const found = await store.findCredential(entry.token_digest);
    if (found) {
      const actor = { member_id: found.member.id, label: found.member.label };
      let event: RoomEvent | undefined;
      if (entry.via !== 'token') {
        try {
          event = await store.revokeMember(
            entry.room_id,
            entry.member_id,
            draft(actor, 'member.revoked', {
              member_id: entry.member_id,
              label: found.member.label,
              via: 'sign_out',
            }),
          );
        } catch (err) {
          // The room's last admin is kept; only the browser's token goes.
          if (!(err instanceof HuddleError && err.code === 'last_admin')) throw err;
        }
      }
      event ??= await store.removeToken(
        entry.room_id,
        entry.token_digest,
        draft(actor, 'member.token_removed', { member_id: entry.member_id, via: 'sign_out' }),
      );
      announce(event, entry.room_id);
    }
    await store.removeWebSessionRoom(record.digest, entry.room_id);
  }

  return {
    /**
     * Signs a browser in to a room (or, with a ticket, to every room of the local hub). With a
     * valid current session the rooms are added to it; otherwise a new session is made.
     */
    async signIn(
      rctx: RequestContext,
      input: SignInInput,
      current: SessionKeys,
    ): Promise<SignInResult> {
      let session: WebSessionRecord | null = null;
      if (current.secret) session = await open(current).catch(() => null);
      // The owner's link makes a session that follows every room; one of another kind is left.
      if ('ticket' in input && session && !session.local_owner) session = null;
      const name = session?.person ?? input.name ?? DEFAULT_PERSON;
      assertAgentName(name, 'name');
      assertLabel(`${name} (browser)`);

      let added: Array<Omit<WebSessionRoom, 'room_name'>> = [];
      let localOwner = false;
      if ('code' in input) {
        const joined = await deps.redeemPairCode(rctx, {
          code: input.code,
          label: `${name} (browser)`,
          kind: 'person',
        });
        const p: Principal = {
          token_digest: digestSecret(joined.token),
          member: joined.member,
          room: joined.room,
        };
        added = [
          {
            room_id: joined.room.id,
            member_id: joined.member.id,
            token_digest: p.token_digest,
            agent: await personAgent(p, name),
            via: 'code',
          },
        ];
      } else if ('token' in input) {
        await limits.join.take(rctx.address);
        const owner = await deps.authenticate(input.token);
        const token = mintToken(random);
        const actor = { member_id: owner.member.id, label: owner.member.label };
        const event = await store.addToken(
          owner.room.id,
          { digest: digestSecret(token), member_id: owner.member.id, created_at: clock.now() },
          draft(actor, 'member.token_added', { member_id: owner.member.id, via: 'browser' }),
        );
        announce(event, owner.room.id);
        const p: Principal = { ...owner, token_digest: digestSecret(token) };
        added = [
          {
            room_id: owner.room.id,
            member_id: owner.member.id,
            token_digest: p.token_digest,
            agent: await personAgent(p, name),
            via: 'token',
          },
        ];
      } else {
        await limits.join.take(rctx.address);
        const digest = digestSecret(input.ticket);
        const expires = tickets.get(digest);
        tickets.delete(digest);
        if (expires === undefined || expires <= clock.now()) {
          throw new HuddleError(
            'not_found',
            'invalid_ticket',
            'This sign-in link was used already or has expired (links work once, for 30 seconds): run `huddle open` again.',
          );
        }
        localOwner = true;
        const joinedRooms = new Set(session?.rooms.map((r) => r.room_id));
        for (const room of await store.listRooms()) {
          if (!joinedRooms.has(room.id)) added.push(await joinAsOwner(room, name));
        }
      }

      let secret: string | undefined;
      let csrf: string;
      if (session && current.csrf) {
        csrf = current.csrf;
      } else {
        secret = `hs_${random(32).toString('base64url')}`;
        csrf = `hc_${random(32).toString('base64url')}`;
        session = {
          digest: digestSecret(secret),
          csrf_digest: digestSecret(csrf),
          person: name,
          local_owner: localOwner,
          created_at: clock.now(),
          last_seen_at: clock.now(),
          rooms: [],
        };
        await store.createWebSession(session);
      }
      for (const entry of added) await store.addWebSessionRoom(session.digest, entry);
      const record = (await store.findWebSession(session.digest))!;
      return {
        ...(secret ? { secret } : {}),
        csrf,
        person: { name: record.person },
        rooms: await view(record),
      };
    },

    /** The session of a request, checked; `not_signed_in`, `csrf_required` or `csrf_mismatch`. */
    open,

    /** The person's name and rooms, joining rooms made since for a local owner's browser. */
    async describe(record: WebSessionRecord): Promise<WebSessionView> {
      // The browser came back: its 30 days start again.
      await store.touchWebSession(record.digest, clock.now());
      const current = await followNewRooms(record);
      return { person: { name: current.person }, rooms: await view(current) };
    },

    /** The credential the browser holds for `roomName`, as a token would give it. */
    async principal(record: WebSessionRecord, roomName: string): Promise<Principal> {
      let entry = record.rooms.find((r) => r.room_name === roomName);
      if (!entry && record.local_owner) {
        entry = (await followNewRooms(record)).rooms.find((r) => r.room_name === roomName);
      }
      if (!entry) {
        throw new HuddleError(
          'forbidden',
          'not_signed_in_room',
          `This browser is not signed in to room "${roomName}": sign in to it with a pair code from one of its admins.`,
          { details: { room: roomName } },
        );
      }
      const found = await store.findCredential(entry.token_digest);
      if (!found) {
        throw new HuddleError(
          'unauthenticated',
          'unknown_token',
          `This browser's membership of room "${roomName}" was revoked, or the room was deleted: sign in to it again with a new pair code.`,
        );
      }
      return found;
    },

    /** The person's agent in a room, or null. */
    agentOf(record: WebSessionRecord, roomName: string): string | null {
      return record.rooms.find((r) => r.room_name === roomName)?.agent ?? null;
    },

    /** Signs out: every member of the browser's own is revoked, borrowed tokens deleted. */
    async signOut(record: WebSessionRecord): Promise<void> {
      for (const entry of record.rooms) await release(record, entry);
      await store.deleteWebSession(record.digest);
    },

    /** Leaves one room, as signing out does for all. */
    async leave(record: WebSessionRecord, roomName: string): Promise<{ left: string }> {
      const entry = record.rooms.find((r) => r.room_name === roomName);
      if (!entry) {
        throw new HuddleError(
          'not_found',
          'not_signed_in_room',
          `This browser is not signed in to room "${roomName}".`,
          { details: { room: roomName } },
        );
      }
      await release(record, entry);
      return { left: roomName };
    },

    /**
     * A one-time sign-in link for the hub's owner, on the hub's own machine only (the local
     * secret, over loopback): it signs the browser in to every room, as a person with admin.
     */
    async mintTicket(rctx: RequestContext, input: { secret: string }): Promise<WebTicketResponse> {
      await limits.join.take(rctx.address);
      assertLocalOwner(
        options.local_secret,
        rctx.address,
        input.secret,
        "A sign-in link without a pair code is made only on the hub's own machine (a hub bound to loopback). Use `huddle pair` and its join link instead.",
      );
      const now = clock.now();
      for (const [digest, expires] of tickets) if (expires <= now) tickets.delete(digest);
      const ticket = `ht_${random(32).toString('base64url')}`;
      tickets.set(digestSecret(ticket), now + WEB_TICKET_TTL_MS);
      return { ticket, expires_at: iso(now + WEB_TICKET_TTL_MS) };
    },
  };
}
