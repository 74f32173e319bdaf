// The SQLite Store: one file in WAL mode, writes group-committed, checkpoints off the hot path.

import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { iso } from '../../core/clock.js';
import type {
  Credential,
  Idempotency,
  NewMember,
  PairCodeRecord,
  Store,
  TokenRecord,
} from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { Checkpoint, EventDraft, Member, Room, RoomEvent, Scope } from '../../core/types.js';
import { startCheckpointer } from './checkpointer.js';
import { createGroupCommit } from './group-commit.js';
import { makeDatabaseFilesPrivate } from './private-files.js';
import { createSqliteApprovals } from './sqlite-approvals.js';
import { createSqliteCoordination } from './sqlite-coordination.js';
import { createSqliteMessaging } from './sqlite-messaging.js';
import { createSqliteWebSessions } from './sqlite-web-sessions.js';
import { createSqlitePush } from './sqlite-push.js';
import { createSqlitePresence } from './sqlite-presence.js';
import { createSqliteRateLimits } from './sqlite-rate-limits.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import {
  CHECKPOINT_COLUMNS,
  CREDENTIAL_COLUMNS,
  eventValues,
  pairCodeValues,
  toCheckpoint,
  toCredential,
  toEvent,
  toMember,
  toRoom,
  toRoomEvent,
  type CheckpointRow,
  type CredentialRow,
  type EventRow,
  type MemberRow,
  type RoomRow,
} from '../rows.js';
import { openWalSync } from './wal-sync.js';

export interface SqliteStoreOptions {
  /** A file path, or ":memory:" for tests. */
  path: string;
  /**
   * `full` (default): every acknowledged write is synced to disk, by `fdatasync` of the WAL off the
   * event loop (see docs/decisions/0007-sync-off-the-event-loop.md). `normal`: a documented opt-in
   * that skips the sync; an acknowledged write survives a crash of the hub but not of the machine.
   */
  sync?: 'full' | 'normal';
  /** Each WAL sync waits this long first: a test hook standing in for a slow disk. */
  syncDelayMs?: number;
  /** How often the checkpoint worker moves the WAL into the database file; 0 turns it off. */
  checkpointIntervalMs?: number;
  /**
   * The WAL file's size limit in bytes (default 64 MiB): past it, the checkpoint worker copies the
   * WAL into the database and starts it over, and the file is cut back to this size.
   */
  walLimitBytes?: number;
  /** Told the database files that others could read and that were made private (mode 0600). */
  onTightened?: (paths: string[]) => void;
}

export const DEFAULT_WAL_LIMIT_BYTES = 64 * 1024 * 1024;

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const onDisk = options.path !== ':memory:';
  if (onDisk) {
    const tightened = makeDatabaseFilesPrivate(options.path);
    if (tightened.length > 0) options.onTightened?.(tightened);
  }
  const walLimitBytes = options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES;
  const db: Db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  // NORMAL in both modes: SQLite then syncs the WAL only around checkpoints and when the WAL starts
  // over (its header), and `sync=full` adds our own fdatasync of the WAL after each group commit,
  // on the thread pool, before anything is acknowledged or delivered.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Automatic WAL checkpoints stall the commit that triggers them; ours run on a timer instead.
  db.pragma('wal_autocheckpoint = 0');
  // When the WAL starts over, the first commit cuts the file back to the limit.
  db.pragma(`journal_size_limit = ${walLimitBytes}`);
  // A WAL left behind by a crash (no close to empty it) is copied and emptied before any write.
  if (onDisk) db.pragma('wal_checkpoint(TRUNCATE)');

  // Statements below are prepared against the schema, so it must exist first.
  applyMigrations(db);
  // The WAL file exists once the database is in WAL mode and has been written (the migrations).
  const walSync =
    onDisk && options.sync !== 'normal' ? openWalSync(options.path, options.syncDelayMs) : null;
  const group = createGroupCommit(db, { sync: walSync?.sync });
  let closed = false;
  /** Reads of the log stop before events whose commit is not synced yet: none is seen early. */
  const visibleBelow = (roomId: string) => group.unsyncedFrom(roomId) ?? Number.MAX_SAFE_INTEGER;
  /** A room as readers may see it: its last_seq no further than what is synced. */
  const visibleRoom = (r: RoomRow): Room => {
    const room = toRoom(r);
    const first = group.unsyncedFrom(r.id);
    return first === undefined ? room : { ...room, last_seq: Math.min(room.last_seq, first - 1) };
  };

  const sql = {
    credential: db.prepare(
      `SELECT ${CREDENTIAL_COLUMNS}
         FROM tokens t JOIN members m ON m.id = t.member_id JOIN rooms r ON r.id = m.room_id
        WHERE t.digest = ? AND m.revoked_at IS NULL`,
    ),
    roomByName: db.prepare('SELECT id, name, created_at, last_seq FROM rooms WHERE name = ?'),
    roomById: db.prepare('SELECT id, name, created_at, last_seq FROM rooms WHERE id = ?'),
    checkpoint: db.prepare(`SELECT ${CHECKPOINT_COLUMNS} FROM rooms WHERE id = ?`),
    eventAt: db.prepare(
      `SELECT r.name AS room, e.seq, e.id, e.ts, e.actor_member, e.actor_label, e.type, e.body
         FROM events e JOIN rooms r ON r.id = e.room_id WHERE e.room_id = ? AND e.seq = ?`,
    ),
    eventsAfter: db.prepare(
      'SELECT seq, id, ts, actor_member, actor_label, type, body FROM events WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?',
    ),
    eventsRecent: db.prepare(
      'SELECT seq, id, ts, actor_member, actor_label, type, body FROM events WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    ),
    members: db.prepare('SELECT * FROM members WHERE room_id = ? ORDER BY created_at, id'),
    hubCounts: db.prepare(
      `SELECT (SELECT COUNT(*) FROM rooms) AS rooms,
              (SELECT COUNT(*) FROM agents WHERE status NOT IN ('offline', 'retired')) AS agents_online`,
    ),
    member: db.prepare('SELECT * FROM members WHERE id = ? AND room_id = ?'),
    liveAdmins: db.prepare(
      "SELECT COUNT(*) AS n FROM members WHERE room_id = ? AND revoked_at IS NULL AND (',' || scopes || ',') LIKE '%,admin,%'",
    ),
    nextSeq: db.prepare(
      'UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq, name',
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (room_id, seq, id, ts, actor_member, actor_label, type, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertRoom: db.prepare('INSERT INTO rooms (id, name, created_at) VALUES (?, ?, ?)'),
    insertMember: db.prepare(
      'INSERT INTO members (id, room_id, label, kind, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertToken: db.prepare('INSERT INTO tokens (digest, member_id, created_at) VALUES (?, ?, ?)'),
    deleteToken: db.prepare('DELETE FROM tokens WHERE digest = ?'),
    deleteMemberTokens: db.prepare('DELETE FROM tokens WHERE member_id = ?'),
    revokeMember: db.prepare('UPDATE members SET revoked_at = ? WHERE id = ?'),
    setCheckpoint: db.prepare(
      `UPDATE rooms SET checkpoint_text = ?, checkpoint_version = checkpoint_version + 1, checkpoint_member = ?,
              checkpoint_label = ?, checkpoint_at = ? WHERE id = ? RETURNING checkpoint_version`,
    ),
    insertCode: db.prepare(
      'INSERT INTO pair_codes (digest, room_id, scopes, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    code: db.prepare(
      'SELECT room_id, scopes, expires_at, used_at FROM pair_codes WHERE digest = ?',
    ),
    useCode: db.prepare(
      'UPDATE pair_codes SET used_at = ?, used_by = ? WHERE digest = ? AND used_at IS NULL',
    ),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE id = ?'),
    allRooms: db.prepare(
      'SELECT id, name, created_at, last_seq FROM rooms ORDER BY created_at, id',
    ),
    tokenOf: db.prepare(
      'SELECT t.digest FROM tokens t JOIN members m ON m.id = t.member_id WHERE t.digest = ? AND m.room_id = ?',
    ),
    idemGet: db.prepare(
      'SELECT fingerprint, result FROM idempotency WHERE member_id = ? AND key = ?',
    ),
    idemPut: db.prepare(
      'INSERT INTO idempotency (member_id, key, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    pruneIdem: db.prepare('DELETE FROM idempotency WHERE created_at < ?'),
    pruneCodes: db.prepare('DELETE FROM pair_codes WHERE expires_at < ?'),
    pruneConnections: db.prepare('DELETE FROM agent_connections WHERE expires_at < ?'),
    pruneRateLimits: db.prepare('DELETE FROM rate_limits WHERE tat < ?'),
  };

  const getRoom = (id: string) => sql.roomById.get(id) as RoomRow | undefined;

  /** Appends one event with the room's next seq; runs inside a write. */
  function append(
    roomId: string,
    draftOrMake: EventDraft | ((seq: number, room: string) => EventDraft),
  ): RoomEvent {
    const next = sql.nextSeq.get(roomId) as { last_seq: number; name: string } | undefined;
    if (!next) throw storeErrors.roomNotFound(roomId);
    const { last_seq: seq, name } = next;
    group.appended(roomId, seq);
    const draft = typeof draftOrMake === 'function' ? draftOrMake(seq, name) : draftOrMake;
    sql.insertEvent.run(...eventValues(roomId, seq, draft));
    return toRoomEvent(name, seq, draft);
  }

  /**
   * Runs a write once per idempotency key. When `replay` is given, the key's record points at the
   * write's event (its seq) and a replay rebuilds the result from the store, so a record costs a
   * few bytes; otherwise the record keeps a copy of the result.
   */
  function once<T>(
    idem: Idempotency | undefined,
    roomId: string,
    fn: () => T,
    replay?: { eventOf: (result: T) => RoomEvent; rebuild: (event: RoomEvent) => T },
  ): T {
    if (!idem) return fn();
    const seen = sql.idemGet.get(idem.member_id, idem.key) as
      { fingerprint: string; result: string } | undefined;
    if (seen) {
      if (seen.fingerprint !== idem.fingerprint) throw storeErrors.idempotencyKeyReused(idem.key);
      if (!replay) return JSON.parse(seen.result) as T;
      const row = sql.eventAt.get(roomId, Number(seen.result)) as
        (EventRow & { room: string }) | undefined;
      if (!row) throw storeErrors.roomNotFound(roomId);
      return replay.rebuild(toEvent(row.room, row));
    }
    const result = fn();
    const record = replay ? String(replay.eventOf(result).seq) : JSON.stringify(result);
    sql.idemPut.run(idem.member_id, idem.key, idem.fingerprint, record, idem.at);
    return result;
  }

  function write<T>(fn: () => T, lazy = false): Promise<T> {
    if (closed) return Promise.reject(storeErrors.storeClosed());
    return group.run(fn, lazy);
  }

  function readCheckpoint(roomId: string): Checkpoint {
    return toCheckpoint(sql.checkpoint.get(roomId) as CheckpointRow | undefined);
  }

  function insertMember(roomId: string, m: NewMember): Member {
    sql.insertMember.run(
      m.id,
      roomId,
      m.label,
      m.kind ?? 'device',
      m.scopes.join(','),
      m.created_at,
    );
    return toMember(sql.member.get(m.id, roomId) as MemberRow);
  }

  // WAL checkpoints run in a worker thread on their own connection (see checkpoint-worker.ts).
  const checkpointMs = options.checkpointIntervalMs ?? 1000;
  const checkpointer =
    onDisk && checkpointMs > 0
      ? startCheckpointer({ path: options.path, intervalMs: checkpointMs, walLimitBytes }, group)
      : undefined;

  const messaging = createSqliteMessaging({ db, write, once, append });
  const coordination = createSqliteCoordination({ db, write, once, append });
  const webSessions = createSqliteWebSessions({ db, write, once, append });
  const approvals = createSqliteApprovals({ db, write, once, append });
  const push = createSqlitePush({ db, write });
  const presence = createSqlitePresence({ db, write });
  const rateLimits = createSqliteRateLimits({ db, write });

  /** Activity queries vary in shape; each shape is prepared once. */
  const eventQueries = new Map<string, ReturnType<Db['prepare']>>();

  return {
    ...messaging,
    ...coordination,
    ...webSessions,
    ...approvals,
    ...push,
    ...presence,
    ...rateLimits,

    async queryEvents(roomId, query) {
      const where = ['room_id = @room_id', 'seq > @after', 'seq < @below'];
      const params: Record<string, unknown> = {
        room_id: roomId,
        after: query.after,
        below: visibleBelow(roomId),
        limit: query.limit,
      };
      if (query.types?.length) {
        where.push(
          `(${query.types
            .map((type, i) => {
              params[`type${i}`] = type;
              // A prefix compared as text: LIKE would read "_" as a wildcard and ignore case.
              return type.endsWith('.')
                ? `substr(type, 1, length(@type${i})) = @type${i}`
                : `type = @type${i}`;
            })
            .join(' OR ')})`,
        );
      }
      if (query.exclude?.length) {
        where.push(`type NOT IN (${query.exclude.map((_, i) => `@exclude${i}`).join(', ')})`);
        query.exclude.forEach((type, i) => (params[`exclude${i}`] = type));
      }
      if (query.since !== undefined) {
        where.push('ts >= @since');
        params.since = query.since;
      }
      if (query.actor !== undefined) {
        where.push(
          `(actor_member = @actor OR actor_label = @actor OR json_extract(body, '$.agent') = @actor
            OR json_extract(body, '$.agent.name') = @actor
            OR json_extract(body, '$.message.from') = @actor)`,
        );
        params.actor = query.actor;
      }
      const text = `SELECT seq, id, ts, actor_member, actor_label, type, body FROM events
                     WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`;
      let statement = eventQueries.get(text);
      if (!statement) {
        statement = db.prepare(text);
        eventQueries.set(text, statement);
      }
      const room = getRoom(roomId);
      if (!room) return [];
      return (statement.all(params) as EventRow[]).map((e) => toEvent(room.name, e));
    },

    async migrate() {
      applyMigrations(db);
    },

    async close() {
      if (closed) return;
      await group.drain();
      closed = true;
      await checkpointer?.stop();
      if (onDisk) db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      walSync?.close();
    },

    async ping() {
      db.prepare('SELECT 1').get();
    },

    async findCredential(digest): Promise<Credential | null> {
      const r = sql.credential.get(digest) as CredentialRow | undefined;
      return r ? toCredential(r, visibleRoom) : null;
    },

    async findReplay(roomId, idem) {
      const seen = sql.idemGet.get(idem.member_id, idem.key) as
        { fingerprint: string; result: string } | undefined;
      if (!seen) return null;
      // The write the key names may be committed and not yet synced: answer once it is durable.
      await group.synced();
      if (seen.fingerprint !== idem.fingerprint) throw storeErrors.idempotencyKeyReused(idem.key);
      if (!/^\d+$/.test(seen.result)) return { result: JSON.parse(seen.result) as unknown };
      const row = sql.eventAt.get(roomId, Number(seen.result)) as
        (EventRow & { room: string }) | undefined;
      if (!row) throw storeErrors.roomNotFound(roomId);
      return { event: toEvent(row.room, row) };
    },

    async findRoom(name) {
      const r = sql.roomByName.get(name) as RoomRow | undefined;
      return r ? visibleRoom(r) : null;
    },

    async getCheckpoint(roomId) {
      return readCheckpoint(roomId);
    },

    async listEvents(roomId, after, limit) {
      const room = getRoom(roomId);
      if (!room) return [];
      return (sql.eventsAfter.all(roomId, after, visibleBelow(roomId), limit) as EventRow[]).map(
        (e) => toEvent(room.name, e),
      );
    },

    async recentEvents(roomId, limit) {
      const room = getRoom(roomId);
      if (!room) return [];
      return (sql.eventsRecent.all(roomId, visibleBelow(roomId), limit) as EventRow[])
        .reverse()
        .map((e) => toEvent(room.name, e));
    },

    async listMembers(roomId) {
      return (sql.members.all(roomId) as MemberRow[]).map(toMember);
    },

    async hubCounts() {
      return sql.hubCounts.get() as { rooms: number; agents_online: number };
    },

    createRoom(input) {
      return write(() => {
        if (sql.roomByName.get(input.room.name)) throw storeErrors.roomExists(input.room.name);
        sql.insertRoom.run(input.room.id, input.room.name, input.room.created_at);
        const member = insertMember(input.room.id, input.member);
        sql.insertToken.run(input.token_digest, member.id, input.member.created_at);
        const event = append(input.room.id, input.event);
        return { room: toRoom(getRoom(input.room.id)!), member, event };
      });
    },

    appendEvent(roomId, event, idem) {
      return write(() => once(idem, roomId, () => append(roomId, event), AS_EVENT));
    },

    setCheckpoint(roomId, w, event, idem) {
      return write(() =>
        once(
          idem,
          roomId,
          () => {
            const current = readCheckpoint(roomId);
            if (w.expected_version !== undefined && w.expected_version !== current.version) {
              throw storeErrors.checkpointConflict(w.expected_version, current);
            }
            const draft = event(current.version + 1);
            sql.setCheckpoint.run(w.text, w.actor.member_id, w.actor.label, draft.ts, roomId);
            return { checkpoint: readCheckpoint(roomId), event: append(roomId, draft) };
          },
          // Checkpoints are rare and their result is not in the event alone: keep a copy.
        ),
      );
    },

    createPairCode(code: PairCodeRecord, event, idem) {
      return write(() =>
        once(
          idem,
          code.room_id,
          () => {
            if (!getRoom(code.room_id)) throw storeErrors.roomNotFound(code.room_id);
            sql.insertCode.run(...pairCodeValues(code));
            return append(code.room_id, event);
          },
          AS_EVENT,
        ),
      );
    },

    addMember(input) {
      return write(() => {
        if (!getRoom(input.room_id)) throw storeErrors.roomNotFound(input.room_id);
        const member = insertMember(input.room_id, input.member);
        sql.insertToken.run(input.token_digest, member.id, input.member.created_at);
        const event = append(input.room_id, input.event(member));
        return { room: toRoom(getRoom(input.room_id)!), member, event };
      });
    },

    addToken(roomId, token, event) {
      return write(() => {
        const m = sql.member.get(token.member_id, roomId) as MemberRow | undefined;
        if (!m) throw storeErrors.memberNotFound(token.member_id);
        if (m.revoked_at !== null) throw storeErrors.memberRevoked(token.member_id);
        sql.insertToken.run(token.digest, token.member_id, token.created_at);
        return append(roomId, event);
      });
    },

    redeemPairCode(input) {
      return write(() => {
        const code = sql.code.get(input.digest) as
          | { room_id: string; scopes: string; expires_at: number; used_at: number | null }
          | undefined;
        if (!code) throw storeErrors.codeNotFound();
        if (code.used_at !== null) throw storeErrors.codeUsed();
        if (code.expires_at <= input.now) throw storeErrors.codeExpired(iso(code.expires_at));
        if (sql.useCode.run(input.now, input.member.id, input.digest).changes !== 1)
          throw storeErrors.codeUsed();
        const member = insertMember(code.room_id, {
          ...input.member,
          scopes: code.scopes.split(',') as Scope[],
        });
        sql.insertToken.run(input.token_digest, member.id, input.member.created_at);
        const event = append(code.room_id, input.event(member));
        return { room: toRoom(getRoom(code.room_id)!), member, event };
      });
    },

    rotateToken(oldDigest, token: TokenRecord, roomId, event) {
      return write(() => {
        if (sql.deleteToken.run(oldDigest).changes !== 1) throw storeErrors.tokenNotFound();
        sql.insertToken.run(token.digest, token.member_id, token.created_at);
        return append(roomId, event);
      });
    },

    revokeMember(roomId, memberId, event, idem) {
      return write(() =>
        once(
          idem,
          roomId,
          () => {
            const m = sql.member.get(memberId, roomId) as MemberRow | undefined;
            if (!m) throw storeErrors.memberNotFound(memberId);
            if (m.revoked_at !== null) throw storeErrors.memberRevoked(memberId);
            const isAdmin = m.scopes.split(',').includes('admin');
            if (isAdmin && (sql.liveAdmins.get(roomId) as { n: number }).n <= 1)
              throw storeErrors.lastAdmin(memberId);
            sql.revokeMember.run(event.ts, memberId);
            sql.deleteMemberTokens.run(memberId);
            return append(roomId, event);
          },
          AS_EVENT,
        ),
      );
    },

    deleteRoom(roomId) {
      return write(() => {
        sql.deleteRoom.run(roomId);
      });
    },

    async listRooms() {
      return (sql.allRooms.all() as RoomRow[]).map(visibleRoom);
    },

    removeToken(roomId, digest, event) {
      return write(() => {
        if (!sql.tokenOf.get(digest, roomId)) throw storeErrors.tokenNotFound();
        sql.deleteToken.run(digest);
        return append(roomId, event);
      });
    },

    prune(before) {
      return write(() => {
        sql.pruneIdem.run(before);
        sql.pruneCodes.run(before);
        sql.pruneConnections.run(before);
        sql.pruneRateLimits.run(before);
      });
    },
  };
}

function applyMigrations(db: Db): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  for (const m of SQLITE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        m.version,
        Date.now(),
      );
    }).immediate();
  }
}

/** For writes whose result is their event. */
const AS_EVENT = { eventOf: (event: RoomEvent) => event, rebuild: (event: RoomEvent) => event };
