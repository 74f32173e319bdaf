// The PostgreSQL store's coordination: the task board, shared variables and file leases. Every
// write holds its room's lock, so a read-then-write here is as safe as in SQLite's transaction.

import { iso } from '../../core/clock.js';
import type { LeaseLiveness, TaskBoard } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { RoomEvent, Task } from '../../core/types.js';
import {
  leaseEnd,
  msOf,
  toLease,
  toTask,
  toVariable,
  type CoordinationMethods,
  type LeaseRow,
  type TaskRow,
  type VariableRow,
} from '../coordination-rows.js';
import type { PgContext, Sql } from './pg-context.js';

const TASK_COLUMNS = `id, title, description, status, priority, assignee, depends_on, result, created_by,
                      created_at, updated_at, closed_at`;
const VARIABLE_COLUMNS = 'key, value, version, set_by, updated_at';
const LEASES_WITH_AGENTS = `SELECT l.room_id, l.id, l.agent, l.paths, l.mode, l.reason, l.ttl_seconds, l.created_at,
                                   l.expires_at, a.status AS agent_status, a.last_seen AS agent_seen
                              FROM leases l LEFT JOIN agents a ON a.room_id = l.room_id AND a.name = l.agent`;
/** Leases that are no longer live, given `$1` now and `$2` offline_before (see `leaseEnd`). */
const ENDED = `(l.expires_at <= $1 OR a.status IS NULL OR a.status = 'retired'
                OR (a.status = 'offline' AND a.last_seen < $2))`;
// Ids and keys order by their bytes, as SQLite orders them, whatever the database's collation.
const BY_AGE = 'created_at, id COLLATE "C"';

const taskValues = (roomId: string, t: Task) => [
  roomId,
  t.id,
  t.title,
  t.description,
  t.status,
  t.priority,
  t.assignee,
  JSON.stringify(t.depends_on),
  t.result,
  t.created_by,
  msOf(t.created_at),
  msOf(t.updated_at),
  msOf(t.closed_at),
];

export function createPgCoordination({ sql, write, once, append }: PgContext): CoordinationMethods {
  const taskRow = (q: Sql, roomId: string, id: string) =>
    q.row<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE room_id = $1 AND id = $2`, [
      roomId,
      id,
    ]);

  /** Every open task, then the closed ones they depend on or `include` names (see TaskBoard). */
  async function loadBoard(q: Sql, roomId: string, include: string[]): Promise<TaskBoard> {
    const open = await q.rows<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE room_id = $1 AND closed_at IS NULL ORDER BY ${BY_AGE}`,
      [roomId],
    );
    const tasks = new Map(open.map((row) => [row.id, toTask(row)]));
    const wanted = [...tasks.values()]
      .flatMap((t) => t.depends_on)
      .concat(include)
      .filter((id) => !tasks.has(id));
    if (wanted.length > 0) {
      const closed = await q.rows<TaskRow>(
        `SELECT ${TASK_COLUMNS} FROM tasks WHERE room_id = $1 AND id = ANY($2::text[])`,
        [roomId, [...new Set(wanted)]],
      );
      const byId = new Map(closed.map((row) => [row.id, row]));
      for (const id of wanted) {
        const row = byId.get(id);
        if (row && !tasks.has(id)) tasks.set(id, toTask(row));
      }
    }
    return { tasks };
  }

  const variableRow = (q: Sql, roomId: string, key: string) =>
    q.row<VariableRow>(
      `SELECT ${VARIABLE_COLUMNS} FROM variables WHERE room_id = $1 AND key = $2`,
      [roomId, key],
    );

  const upsertVariable = (
    q: Sql,
    roomId: string,
    key: string,
    value: string | null,
    version: number,
    setBy: string,
    at: number,
  ) =>
    q.row<VariableRow>(
      `INSERT INTO variables (room_id, key, value, version, set_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (room_id, key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version,
         set_by = EXCLUDED.set_by, updated_at = EXCLUDED.updated_at
       RETURNING ${VARIABLE_COLUMNS}`,
      [roomId, key, value, version, setBy, at],
    );

  async function liveLeases(q: Sql, roomId: string, live: LeaseLiveness) {
    const rows = await q.rows<LeaseRow>(
      `${LEASES_WITH_AGENTS} WHERE l.room_id = $1 ORDER BY l.created_at, l.id COLLATE "C"`,
      [roomId],
    );
    return rows.filter((l) => leaseEnd(l, live) === null).map(toLease);
  }

  return {
    changeTasks(roomId, include, change, idem) {
      return write(roomId, (q) =>
        once(q, idem, roomId, async () => {
          const outcome = change(await loadBoard(q, roomId, include));
          if (!outcome.event) return { result: outcome.result, event: null };
          const created = new Set(outcome.created);
          for (const task of outcome.write) {
            if (created.has(task.id)) {
              if (await taskRow(q, roomId, task.id)) throw storeErrors.taskIdTaken(task.id);
              await q.run(
                `INSERT INTO tasks (room_id, ${TASK_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
                taskValues(roomId, task),
              );
            } else {
              await q.run(
                `UPDATE tasks SET title = $3, description = $4, status = $5, priority = $6, assignee = $7,
                        depends_on = $8, result = $9, updated_at = $10, closed_at = $11
                  WHERE room_id = $1 AND id = $2`,
                [
                  roomId,
                  task.id,
                  task.title,
                  task.description,
                  task.status,
                  task.priority,
                  task.assignee,
                  JSON.stringify(task.depends_on),
                  task.result,
                  msOf(task.updated_at),
                  msOf(task.closed_at),
                ],
              );
            }
          }
          return { result: outcome.result, event: await append(q, roomId, outcome.event) };
        }),
      );
    },

    async getTask(roomId, id) {
      const row = await taskRow(sql, roomId, id);
      return row ? toTask(row) : null;
    },

    async listTasks(roomId, filter) {
      const rows = await sql.rows<TaskRow>(
        `SELECT ${TASK_COLUMNS} FROM tasks
          WHERE room_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))
            AND ($3::boolean IS FALSE OR assignee IS NOT DISTINCT FROM $4::text)
          ORDER BY ${BY_AGE}`,
        [roomId, filter.statuses ?? null, filter.assignee !== undefined, filter.assignee ?? null],
      );
      return rows.map(toTask);
    },

    setVariable(roomId, input, event, idem) {
      return write(roomId, (q) =>
        once(q, idem, roomId, async () => {
          const row = await variableRow(q, roomId, input.key);
          const current = row && row.value !== null ? toVariable(row) : null;
          if (input.expected_version !== undefined) {
            const at = current ? current.version : 0;
            if (at !== input.expected_version)
              throw storeErrors.variableConflict(input.key, input.expected_version, current);
          }
          if (!current) {
            const { n } = (await q.row<{ n: number }>(
              'SELECT COUNT(*) AS n FROM variables WHERE room_id = $1 AND value IS NOT NULL',
              [roomId],
            ))!;
            if (n >= input.max_keys) throw storeErrors.tooManyVariables(input.max_keys);
          }
          const version = (row?.version ?? 0) + 1;
          const variable = toVariable(
            (await upsertVariable(
              q,
              roomId,
              input.key,
              input.value,
              version,
              input.set_by,
              input.at,
            ))!,
          );
          return { variable, event: await append(q, roomId, event(variable)) };
        }),
      );
    },

    async getVariable(roomId, key) {
      const row = await variableRow(sql, roomId, key);
      return row && row.value !== null ? toVariable(row) : null;
    },

    async listVariables(roomId) {
      const rows = await sql.rows<VariableRow>(
        `SELECT ${VARIABLE_COLUMNS} FROM variables WHERE room_id = $1 AND value IS NOT NULL ORDER BY key COLLATE "C"`,
        [roomId],
      );
      return rows.map(toVariable);
    },

    deleteVariable(roomId, input, event) {
      return write(roomId, async (q) => {
        const row = await variableRow(q, roomId, input.key);
        if (!row || row.value === null) throw storeErrors.variableNotFound(input.key);
        const current = toVariable(row);
        if (input.expected_version !== undefined && input.expected_version !== current.version)
          throw storeErrors.variableConflict(input.key, input.expected_version, current);
        // A tombstone keeps the version counting, so a version read before the delete never
        // matches a value written after it.
        await upsertVariable(q, roomId, input.key, null, row.version + 1, row.set_by, input.at);
        return { variable: current, event: await append(q, roomId, event(current)) };
      });
    },

    acquireLease(roomId, live, decide, idem) {
      return write(roomId, (q) =>
        once(q, idem, roomId, async () => {
          const { lease, event } = decide(await liveLeases(q, roomId, live));
          if (
            await q.row('SELECT 1 FROM leases WHERE room_id = $1 AND id = $2', [roomId, lease.id])
          )
            throw storeErrors.leaseIdTaken(lease.id);
          await q.run(
            `INSERT INTO leases (room_id, id, agent, paths, mode, reason, ttl_seconds, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              roomId,
              lease.id,
              lease.agent,
              JSON.stringify(lease.paths),
              lease.mode,
              lease.reason,
              lease.ttl_seconds,
              msOf(lease.created_at),
              msOf(lease.expires_at),
            ],
          );
          return { lease, event: await append(q, roomId, event) };
        }),
      );
    },

    listLeases(roomId, live) {
      return liveLeases(sql, roomId, live);
    },

    releaseLeases(roomId, live, pick, event) {
      return write(roomId, async (q) => {
        const released = pick(await liveLeases(q, roomId, live));
        if (released.length === 0) return { released, event: null };
        await q.run('DELETE FROM leases WHERE room_id = $1 AND id = ANY($2::text[])', [
          roomId,
          released.map((l) => l.id),
        ]);
        return { released, event: await append(q, roomId, event(released)) };
      });
    },

    renewLeases(roomId, live, pick, expiresAt, event) {
      return write(roomId, async (q) => {
        const renewed = [];
        for (const lease of pick(await liveLeases(q, roomId, live))) {
          const at = expiresAt(lease);
          await q.run('UPDATE leases SET expires_at = $1 WHERE room_id = $2 AND id = $3', [
            at,
            roomId,
            lease.id,
          ]);
          renewed.push({ ...lease, expires_at: iso(at) });
        }
        return {
          renewed,
          event: renewed.length > 0 ? await append(q, roomId, event(renewed)) : null,
        };
      });
    },

    async sweepLeases(live, event) {
      const times = [live.now, live.offline_before];
      const rooms = await sql.rows<{ room_id: string }>(
        `SELECT l.room_id FROM leases l LEFT JOIN agents a ON a.room_id = l.room_id AND a.name = l.agent
          WHERE ${ENDED} GROUP BY l.room_id ORDER BY l.room_id COLLATE "C"`,
        times,
      );
      // One write per room, each finding again under the room's lock what has ended by now.
      const outcomes = await Promise.allSettled(
        rooms.map(({ room_id: roomId }) =>
          write(roomId, async (q) => {
            const ended = await q.rows<LeaseRow>(
              `${LEASES_WITH_AGENTS} WHERE l.room_id = $3 AND ${ENDED} ORDER BY l.created_at, l.id COLLATE "C"`,
              [...times, roomId],
            );
            const swept: Array<{ room_id: string; event: RoomEvent }> = [];
            for (const row of ended) {
              await q.run('DELETE FROM leases WHERE room_id = $1 AND id = $2', [roomId, row.id]);
              const why = leaseEnd(row, live) ?? 'expired';
              swept.push({
                room_id: roomId,
                event: await append(q, roomId, event(toLease(row), why)),
              });
            }
            return swept;
          }),
        ),
      );
      // The rooms that did commit stay swept; a failed one fails the sweep, as in SQLite, so a
      // caller that must see its room swept (an agent coming back) does not go on.
      const failed = outcomes.find((o) => o.status === 'rejected');
      if (failed) throw failed.reason;
      return outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
    },
  };
}
