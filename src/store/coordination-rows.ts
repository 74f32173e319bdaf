// Task, variable and lease rows as both stores read them, turned into the core's types, and when a
// lease row has ended: the tables have the same columns on SQLite and PostgreSQL.

import { iso } from '../core/clock.js';
import type { LeaseLiveness, Store } from '../core/store.js';
import type { Lease, LeaseMode, Task, TaskPriority, TaskStatus, Variable } from '../core/types.js';

/** What the coordination slice of each store provides. */
export type CoordinationMethods = Pick<
  Store,
  | 'changeTasks'
  | 'getTask'
  | 'listTasks'
  | 'setVariable'
  | 'getVariable'
  | 'listVariables'
  | 'deleteVariable'
  | 'acquireLease'
  | 'listLeases'
  | 'releaseLeases'
  | 'renewLeases'
  | 'sweepLeases'
>;

export interface TaskRow {
  id: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  assignee: string | null;
  depends_on: string;
  result: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
}
export interface VariableRow {
  key: string;
  value: string | null;
  version: number;
  set_by: string;
  updated_at: number;
}
/** A lease joined with its agent's presence (null when the agent is gone). */
export interface LeaseRow {
  room_id: string;
  id: string;
  agent: string;
  paths: string;
  mode: string;
  reason: string;
  ttl_seconds: number;
  created_at: number;
  expires_at: number;
  agent_status: string | null;
  agent_seen: number | null;
}

export const toTask = (t: TaskRow): Task => ({
  id: t.id,
  title: t.title,
  description: t.description,
  status: t.status as TaskStatus,
  priority: t.priority as TaskPriority,
  assignee: t.assignee,
  depends_on: JSON.parse(t.depends_on) as string[],
  result: t.result,
  created_by: t.created_by,
  created_at: iso(t.created_at),
  updated_at: iso(t.updated_at),
  closed_at: t.closed_at === null ? null : iso(t.closed_at),
});
export const toVariable = (v: VariableRow): Variable => ({
  key: v.key,
  value: v.value ?? '',
  version: v.version,
  set_by: v.set_by,
  updated_at: iso(v.updated_at),
});
export const toLease = (l: LeaseRow): Lease => ({
  id: l.id,
  agent: l.agent,
  paths: JSON.parse(l.paths) as string[],
  mode: l.mode as LeaseMode,
  reason: l.reason,
  ttl_seconds: l.ttl_seconds,
  created_at: iso(l.created_at),
  expires_at: iso(l.expires_at),
});

/** An ISO time (or null) as the milliseconds the tables keep. */
export const msOf = (time: string | null) => (time === null ? null : Date.parse(time));

/** Why a lease is not live any more, or null while it is. */
export function leaseEnd(
  l: LeaseRow,
  live: LeaseLiveness,
): 'expired' | 'agent_offline' | 'agent_retired' | null {
  if (l.agent_status === null || l.agent_status === 'retired') return 'agent_retired';
  if (l.expires_at <= live.now) return 'expired';
  if (l.agent_status === 'offline' && (l.agent_seen ?? 0) < live.offline_before)
    return 'agent_offline';
  return null;
}
