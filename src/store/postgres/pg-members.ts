// The PostgreSQL store's members and tokens: who may enter a room, pair codes, rotation and
// revocation. Every write holds its room's lock, as in the rest of the store.

import type {
  Credential,
  NewMember,
  PairCodeRecord,
  Store,
  TokenRecord,
} from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import { iso } from '../../core/clock.js';
import type { Member, Scope } from '../../core/types.js';
import {
  CREDENTIAL_COLUMNS,
  pairCodeValues,
  toCredential,
  toMember,
  toRoom,
  type CredentialRow,
  type MemberRow,
  type RoomRow,
} from '../rows.js';
import { AS_EVENT, type PgContext, type Sql } from './pg-context.js';

type MemberMethods = Pick<
  Store,
  | 'findCredential'
  | 'listMembers'
  | 'createPairCode'
  | 'addMember'
  | 'addToken'
  | 'redeemPairCode'
  | 'rotateToken'
  | 'revokeMember'
  | 'removeToken'
>;

const getRoom = (q: Sql, id: string) =>
  q.row<RoomRow>('SELECT id, name, created_at, last_seq FROM rooms WHERE id = $1', [id]);

export async function insertMember(q: Sql, roomId: string, m: NewMember): Promise<Member> {
  const row = await q.row<MemberRow>(
    `INSERT INTO members (id, room_id, label, kind, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, room_id, label, kind, scopes, created_at, revoked_at`,
    [m.id, roomId, m.label, m.kind ?? 'device', m.scopes.join(','), m.created_at],
  );
  return toMember(row!);
}

export const insertToken = (q: Sql, digest: string, memberId: string, at: number) =>
  q.run('INSERT INTO tokens (digest, member_id, created_at) VALUES ($1, $2, $3)', [
    digest,
    memberId,
    at,
  ]);

const memberOf = (q: Sql, id: string, roomId: string) =>
  q.row<MemberRow>('SELECT * FROM members WHERE id = $1 AND room_id = $2', [id, roomId]);

export function createPgMembers({ sql, write, append, once }: PgContext): MemberMethods {
  return {
    async findCredential(digest): Promise<Credential | null> {
      const r = await sql.row<CredentialRow>(
        `SELECT ${CREDENTIAL_COLUMNS}
           FROM tokens t JOIN members m ON m.id = t.member_id JOIN rooms r ON r.id = m.room_id
          WHERE t.digest = $1 AND m.revoked_at IS NULL`,
        [digest],
      );
      return r ? toCredential(r) : null;
    },

    async listMembers(roomId) {
      const rows = await sql.rows<MemberRow>(
        'SELECT * FROM members WHERE room_id = $1 ORDER BY created_at, id COLLATE "C"',
        [roomId],
      );
      return rows.map(toMember);
    },

    createPairCode(code: PairCodeRecord, event, idem) {
      return write(code.room_id, (q) =>
        once(
          q,
          idem,
          code.room_id,
          async () => {
            if (!(await getRoom(q, code.room_id))) throw storeErrors.roomNotFound(code.room_id);
            await q.run(
              'INSERT INTO pair_codes (digest, room_id, scopes, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
              pairCodeValues(code),
            );
            return append(q, code.room_id, event);
          },
          AS_EVENT,
        ),
      );
    },

    addMember(input) {
      return write(input.room_id, async (q) => {
        if (!(await getRoom(q, input.room_id))) throw storeErrors.roomNotFound(input.room_id);
        const member = await insertMember(q, input.room_id, input.member);
        await insertToken(q, input.token_digest, member.id, input.member.created_at);
        const event = await append(q, input.room_id, input.event(member));
        return { room: toRoom((await getRoom(q, input.room_id))!), member, event };
      });
    },

    addToken(roomId, token: TokenRecord, event) {
      return write(roomId, async (q) => {
        const m = await memberOf(q, token.member_id, roomId);
        if (!m) throw storeErrors.memberNotFound(token.member_id);
        if (m.revoked_at !== null) throw storeErrors.memberRevoked(token.member_id);
        await insertToken(q, token.digest, token.member_id, token.created_at);
        return append(q, roomId, event);
      });
    },

    async redeemPairCode(input) {
      // The code names its room: read it first so the write can lock that room.
      const found = await sql.row<{ room_id: string }>(
        'SELECT room_id FROM pair_codes WHERE digest = $1',
        [input.digest],
      );
      if (!found) throw storeErrors.codeNotFound();
      return write(found.room_id, async (q) => {
        const code = await q.row<{
          room_id: string;
          scopes: string;
          expires_at: number;
          used_at: number | null;
        }>('SELECT room_id, scopes, expires_at, used_at FROM pair_codes WHERE digest = $1', [
          input.digest,
        ]);
        if (!code) throw storeErrors.codeNotFound();
        if (code.used_at !== null) throw storeErrors.codeUsed();
        if (code.expires_at <= input.now) throw storeErrors.codeExpired(iso(code.expires_at));
        const used = await q.run(
          'UPDATE pair_codes SET used_at = $1, used_by = $2 WHERE digest = $3 AND used_at IS NULL',
          [input.now, input.member.id, input.digest],
        );
        if (used !== 1) throw storeErrors.codeUsed();
        const member = await insertMember(q, code.room_id, {
          ...input.member,
          scopes: code.scopes.split(',') as Scope[],
        });
        await insertToken(q, input.token_digest, member.id, input.member.created_at);
        const event = await append(q, code.room_id, input.event(member));
        return { room: toRoom((await getRoom(q, code.room_id))!), member, event };
      });
    },

    rotateToken(oldDigest, token, roomId, event) {
      return write(roomId, async (q) => {
        if ((await q.run('DELETE FROM tokens WHERE digest = $1', [oldDigest])) !== 1)
          throw storeErrors.tokenNotFound();
        await insertToken(q, token.digest, token.member_id, token.created_at);
        return append(q, roomId, event);
      });
    },

    revokeMember(roomId, memberId, event, idem) {
      return write(roomId, (q) =>
        once(
          q,
          idem,
          roomId,
          async () => {
            const m = await memberOf(q, memberId, roomId);
            if (!m) throw storeErrors.memberNotFound(memberId);
            if (m.revoked_at !== null) throw storeErrors.memberRevoked(memberId);
            if (m.scopes.split(',').includes('admin')) {
              const admins = await q.row<{ n: number }>(
                `SELECT COUNT(*) AS n FROM members WHERE room_id = $1 AND revoked_at IS NULL
                   AND (',' || scopes || ',') LIKE '%,admin,%'`,
                [roomId],
              );
              if (admins!.n <= 1) throw storeErrors.lastAdmin(memberId);
            }
            await q.run('UPDATE members SET revoked_at = $1 WHERE id = $2', [event.ts, memberId]);
            await q.run('DELETE FROM tokens WHERE member_id = $1', [memberId]);
            return append(q, roomId, event);
          },
          AS_EVENT,
        ),
      );
    },

    removeToken(roomId, digest, event) {
      return write(roomId, async (q) => {
        const found = await q.row(
          'SELECT t.digest FROM tokens t JOIN members m ON m.id = t.member_id WHERE t.digest = $1 AND m.room_id = $2',
          [digest, roomId],
        );
        if (!found) throw storeErrors.tokenNotFound();
        await q.run('DELETE FROM tokens WHERE digest = $1', [digest]);
        return append(q, roomId, event);
      });
    },
  };
}
