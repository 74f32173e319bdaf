// The SQLite store's coordination: the task board, shared variables and file leases.

import { iso } from '../../core/clock.js';
import type { LeaseLiveness, TaskBoard } from '../../core/store.js';
import { storeErrors } from '../../core/store-errors.js';
import type { Task } from '../../core/types.js';
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
import type { SqliteWriteContext } from './sqlite-messaging.js';

export function createSqliteCoordination({
  db,
  write,
  once,
  append,
}: SqliteWriteContext): CoordinationMethods {
  const taskColumns = `id, title, description, status, priority, assignee, depends_on, result, created_by,
                       created_at, updated_at, closed_at`;
  const leaseColumns = `l.room_id, l.id, l.agent, l.paths, l.mode, l.reason, l.ttl_seconds, l.created_at, l.expires_at,
                        a.status AS agent_status, a.last_seen AS agent_seen`;
  const sql = {
    activeTasks: db.prepare(
      `SELECT ${taskColumns} FROM tasks WHERE room_id = ? AND closed_at IS NULL`,
    ),
    task: db.prepare(`SELECT ${taskColumns} FROM tasks WHERE room_id = ? AND id = ?`),
    allTasks: db.prepare(
      `SELECT ${taskColumns} FROM tasks WHERE room_id = ? ORDER BY created_at, id`,
    ),
    insertTask: db.prepare(
      `INSERT INTO tasks (room_id, ${taskColumns})
       VALUES (@room_id, @id, @title, @description, @status, @priority, @assignee, @depends_on, @result, @created_by,
               @created_at, @updated_at, @closed_at)`,
    ),
    updateTask: db.prepare(
      `UPDATE tasks SET title = @title, description = @description, status = @status, priority = @priority,
              assignee = @assignee, depends_on = @depends_on, result = @result, updated_at = @updated_at,
              closed_at = @closed_at
        WHERE room_id = @room_id AND id = @id`,
    ),
    variable: db.prepare(
      'SELECT key, value, version, set_by, updated_at FROM variables WHERE room_id = ? AND key = ?',
    ),
    variables: db.prepare(
      'SELECT key, value, version, set_by, updated_at FROM variables WHERE room_id = ? AND value IS NOT NULL ORDER BY key',
    ),
    countVariables: db.prepare(
      'SELECT COUNT(*) AS n FROM variables WHERE room_id = ? AND value IS NOT NULL',
    ),
    upsertVariable: db.prepare(
      `INSERT INTO variables (room_id, key, value, version, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (room_id, key) DO UPDATE SET value = excluded.value, version = excluded.version,
         set_by = excluded.set_by, updated_at = excluded.updated_at`,
    ),
    leases: db.prepare(
      `SELECT ${leaseColumns} FROM leases l LEFT JOIN agents a ON a.room_id = l.room_id AND a.name = l.agent
        WHERE l.room_id = ? ORDER BY l.created_at, l.id`,
    ),
    endingLeases: db.prepare(
      `SELECT ${leaseColumns} FROM leases l LEFT JOIN agents a ON a.room_id = l.room_id AND a.name = l.agent
        WHERE l.expires_at <= @now OR a.status IS NULL OR a.status = 'retired'
           OR (a.status = 'offline' AND a.last_seen < @offline_before)
        ORDER BY l.room_id, l.created_at, l.id`,
    ),
    insertLease: db.prepare(
      `INSERT INTO leases (room_id, id, agent, paths, mode, reason, ttl_seconds, created_at, expires_at)
       VALUES (@room_id, @id, @agent, @paths, @mode, @reason, @ttl_seconds, @created_at, @expires_at)`,
    ),
    leaseExists: db.prepare('SELECT 1 FROM leases WHERE room_id = ? AND id = ?'),
    deleteLease: db.prepare('DELETE FROM leases WHERE room_id = ? AND id = ?'),
    renewLease: db.prepare('UPDATE leases SET expires_at = ? WHERE room_id = ? AND id = ?'),
  };

  const taskParams = (roomId: string, t: Task) => ({
    room_id: roomId,
    id: t.id,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    assignee: t.assignee,
    depends_on: JSON.stringify(t.depends_on),
    result: t.result,
    created_by: t.created_by,
    created_at: msOf(t.created_at),
    updated_at: msOf(t.updated_at),
    closed_at: msOf(t.closed_at),
  });

  const liveLeases = (roomId: string, live: LeaseLiveness) =>
    (sql.leases.all(roomId) as LeaseRow[]).filter((l) => leaseEnd(l, live) === null).map(toLease);

  const variableRow = (roomId: string, key: string) =>
    sql.variable.get(roomId, key) as VariableRow | undefined;

  return {
    changeTasks(roomId, include, change, idem) {
      return write(() =>
        once(idem, roomId, () => {
          const tasks = new Map<string, Task>();
          for (const row of sql.activeTasks.all(roomId) as TaskRow[])
            tasks.set(row.id, toTask(row));
          // Closed tasks the open ones depend on decide whether those are blocked.
          const wanted = [...tasks.values()].flatMap((t) => t.depends_on).concat(include);
          for (const id of wanted) {
            if (tasks.has(id)) continue;
            const row = sql.task.get(roomId, id) as TaskRow | undefined;
            if (row) tasks.set(id, toTask(row));
          }
          const board: TaskBoard = { tasks };
          const outcome = change(board);
          if (!outcome.event) return { result: outcome.result, event: null };
          const created = new Set(outcome.created);
          for (const task of outcome.write) {
            if (created.has(task.id)) {
              if (sql.task.get(roomId, task.id)) throw storeErrors.taskIdTaken(task.id);
              sql.insertTask.run(taskParams(roomId, task));
            } else {
              sql.updateTask.run(taskParams(roomId, task));
            }
          }
          return { result: outcome.result, event: append(roomId, outcome.event) };
        }),
      );
    },

    async getTask(roomId, id) {
      const row = sql.task.get(roomId, id) as TaskRow | undefined;
      return row ? toTask(row) : null;
    },

    async listTasks(roomId, filter) {
      return (sql.allTasks.all(roomId) as TaskRow[])
        .map(toTask)
        .filter(
          (t) =>
            (!filter.statuses || filter.statuses.includes(t.status)) &&
            (filter.assignee === undefined || t.assignee === filter.assignee),
        );
    },

    setVariable(roomId, input, event, idem) {
      return write(() =>
        once(idem, roomId, () => {
          const row = variableRow(roomId, input.key);
          const current = row && row.value !== null ? toVariable(row) : null;
          if (input.expected_version !== undefined) {
            const at = current ? current.version : 0;
            if (at !== input.expected_version)
              throw storeErrors.variableConflict(input.key, input.expected_version, current);
          }
          if (!current) {
            const { n } = sql.countVariables.get(roomId) as { n: number };
            if (n >= input.max_keys) throw storeErrors.tooManyVariables(input.max_keys);
          }
          const version = (row?.version ?? 0) + 1;
          sql.upsertVariable.run(roomId, input.key, input.value, version, input.set_by, input.at);
          const variable = toVariable(variableRow(roomId, input.key)!);
          return { variable, event: append(roomId, event(variable)) };
        }),
      );
    },

    async getVariable(roomId, key) {
      const row = variableRow(roomId, key);
      return row && row.value !== null ? toVariable(row) : null;
    },

    async listVariables(roomId) {
      return (sql.variables.all(roomId) as VariableRow[]).map(toVariable);
    },

    deleteVariable(roomId, input, event) {
      return write(() => {
        const row = variableRow(roomId, input.key);
        if (!row || row.value === null) throw storeErrors.variableNotFound(input.key);
        const current = toVariable(row);
        if (input.expected_version !== undefined && input.expected_version !== current.version)
          throw storeErrors.variableConflict(input.key, input.expected_version, current);
        // A tombstone keeps the version counting, so a version read before the delete never
        // matches a value written after it.
        sql.upsertVariable.run(roomId, input.key, null, row.version + 1, row.set_by, input.at);
        return { variable: current, event: append(roomId, event(current)) };
      });
    },

    acquireLease(roomId, live, decide, idem) {
      return write(() =>
        once(idem, roomId, () => {
          const { lease, event } = decide(liveLeases(roomId, live));
          if (sql.leaseExists.get(roomId, lease.id)) throw storeErrors.leaseIdTaken(lease.id);
          sql.insertLease.run({
            room_id: roomId,
            id: lease.id,
            agent: lease.agent,
            paths: JSON.stringify(lease.paths),
            mode: lease.mode,
            reason: lease.reason,
            ttl_seconds: lease.ttl_seconds,
            created_at: msOf(lease.created_at),
            expires_at: msOf(lease.expires_at),
          });
          return { lease, event: append(roomId, event) };
        }),
      );
    },

    async listLeases(roomId, live) {
      return liveLeases(roomId, live);
    },

    releaseLeases(roomId, live, pick, event) {
      return write(() => {
        const released = pick(liveLeases(roomId, live));
        for (const lease of released) sql.deleteLease.run(roomId, lease.id);
        return {
          released,
          event: released.length > 0 ? append(roomId, event(released)) : null,
        };
      });
    },

    renewLeases(roomId, live, pick, expiresAt, event) {
      return write(() => {
        const renewed = pick(liveLeases(roomId, live)).map((lease) => {
          const at = expiresAt(lease);
          sql.renewLease.run(at, roomId, lease.id);
          return { ...lease, expires_at: iso(at) };
        });
        return { renewed, event: renewed.length > 0 ? append(roomId, event(renewed)) : null };
      });
    },

    sweepLeases(live, event) {
      return write(() =>
        (sql.endingLeases.all(live) as LeaseRow[]).map((row) => {
          sql.deleteLease.run(row.room_id, row.id);
          return {
            room_id: row.room_id,
            event: append(row.room_id, event(toLease(row), leaseEnd(row, live) ?? 'expired')),
          };
        }),
      );
    },
  };
}
