// The rules of the task board, as pure functions over a board snapshot: input limits,
// dependencies (unknown ones and cycles refused), who may change a task, and unblocking.

import { HuddleError } from '../errors.js';
import { assertTextSize } from '../limits.js';
import { OVERRIDE_HINT } from '../overrides.js';
import { readableId, type RandomSource } from '../random.js';
import type { TaskBoard } from '../store.js';
import { TASK_PRIORITIES, type Task, type TaskPriority } from '../types.js';

export const TITLE_MAX_CHARS = 200;
export const DESCRIPTION_MAX_BYTES = 16 * 1024;
export const RESULT_MAX_BYTES = 64 * 1024;
export const DEPENDS_MAX = 50;
export const PLAN_MAX_TASKS = 100;
export const TASK_ID_PATTERN = /^T-[0-9a-z]{4,8}$/;

/** `T-4k2p`: short enough to say, unique in the room (the store refuses a taken one). */
export function newTaskId(random: RandomSource): string {
  return readableId(random, 'T', 4);
}

export function invalidTask(
  code: string,
  message: string,
  details: Record<string, unknown>,
): HuddleError {
  return new HuddleError('invalid', code, message, { details });
}

export function assertTitle(title: string, field = 'title'): string {
  const trimmed = title.trim();
  if (
    trimmed === '' ||
    [...trimmed].length > TITLE_MAX_CHARS ||
    /[\u0000-\u001f\u007f]/.test(trimmed)
  ) {
    throw invalidTask(
      'invalid_title',
      `${field} must be 1 to ${TITLE_MAX_CHARS} characters on one line.`,
      { field, max_chars: TITLE_MAX_CHARS },
    );
  }
  return trimmed;
}

export function assertDescription(text: string, field = 'description'): string {
  assertTextSize('description', text, DESCRIPTION_MAX_BYTES, field);
  return text;
}

export function assertResult(text: string): string {
  assertTextSize('result', text, RESULT_MAX_BYTES);
  return text;
}

export function parsePriority(value: string | undefined, field = 'priority'): TaskPriority {
  if (value === undefined) return 'medium';
  if (!(TASK_PRIORITIES as readonly string[]).includes(value)) {
    throw invalidTask(
      'invalid_priority',
      `${field} must be one of ${TASK_PRIORITIES.join(', ')}.`,
      {
        field,
        allowed: [...TASK_PRIORITIES],
      },
    );
  }
  return value as TaskPriority;
}

export function assertTaskId(id: string, field = 'id'): void {
  if (!TASK_ID_PATTERN.test(id)) {
    throw invalidTask(
      'invalid_task_id',
      `${JSON.stringify(id.slice(0, 40))} is not a task id (like T-4k2p).`,
      { field, pattern: TASK_ID_PATTERN.source },
    );
  }
}

export function taskNotFound(id: string, room: string): HuddleError {
  return new HuddleError('not_found', 'task_not_found', `No task ${id} in room "${room}".`, {
    details: { id },
  });
}

/** The dependency ids as given: well-formed, at most DEPENDS_MAX, without repeats. */
export function parseDependsOn(ids: string[] | undefined, field = 'depends_on'): string[] {
  const list = [...new Set(ids ?? [])];
  if (list.length > DEPENDS_MAX) {
    throw invalidTask(
      'too_many_dependencies',
      `A task may depend on at most ${DEPENDS_MAX} tasks.`,
      {
        field,
        limit: DEPENDS_MAX,
      },
    );
  }
  for (const id of list) assertTaskId(id, field);
  return list;
}

/**
 * Refuses dependencies that cannot be met: unknown tasks, cancelled ones, and any that would
 * close a cycle through `taskId` (the path is named).
 */
export function assertDependencies(
  board: TaskBoard,
  taskId: string,
  dependsOn: string[],
  room: string,
  field = 'depends_on',
): void {
  for (const dep of dependsOn) {
    const task = board.tasks.get(dep);
    if (!task) {
      throw new HuddleError(
        'not_found',
        'dependency_not_found',
        `${taskId} cannot depend on ${dep}: there is no task ${dep} in room "${room}".`,
        { details: { field, id: dep } },
      );
    }
    if (task.status === 'cancelled') {
      throw new HuddleError(
        'conflict',
        'dependency_cancelled',
        `${taskId} cannot depend on ${dep}: it is cancelled, so it will never be done.`,
        { details: { field, id: dep } },
      );
    }
    const cycle = pathTo(board, dep, taskId, new Set());
    if (cycle) {
      const loop = [taskId, ...cycle].join(' → ');
      throw new HuddleError(
        'conflict',
        'dependency_cycle',
        `${taskId} cannot depend on ${dep}: that closes the cycle ${loop}. Remove one of these dependencies.`,
        { details: { field, cycle: [taskId, ...cycle] } },
      );
    }
  }
}

/** A dependency path from `from` to `to` (both included), or null. Depth-first over the board. */
function pathTo(board: TaskBoard, from: string, to: string, seen: Set<string>): string[] | null {
  if (from === to) return [to];
  if (seen.has(from)) return null;
  seen.add(from);
  for (const next of board.tasks.get(from)?.depends_on ?? []) {
    const rest = pathTo(board, next, to, seen);
    if (rest) return [from, ...rest];
  }
  return null;
}

/** The dependencies of `task` that are not done yet. */
export function unfinished(board: TaskBoard, dependsOn: string[]): string[] {
  return dependsOn.filter((id) => board.tasks.get(id)?.status !== 'done');
}

/** The status a task that is not started or closed takes from its dependencies and assignee. */
export function waitingStatus(
  board: TaskBoard,
  dependsOn: string[],
  assignee: string | null,
): Task['status'] {
  if (unfinished(board, dependsOn).length > 0) return 'blocked';
  return assignee ? 'claimed' : 'open';
}

/**
 * The blocked tasks whose last unfinished dependency is `doneId`, as they become: open, or
 * claimed when someone was assigned in advance. The board must already hold `doneId` as done.
 */
export function unblockedBy(board: TaskBoard, doneId: string, at: string): Task[] {
  const freed: Task[] = [];
  for (const task of board.tasks.values()) {
    if (task.status !== 'blocked' || !task.depends_on.includes(doneId)) continue;
    if (unfinished(board, task.depends_on).length > 0) continue;
    freed.push({ ...task, status: task.assignee ? 'claimed' : 'open', updated_at: at });
  }
  return freed;
}

/**
 * A task with an assignee changes only by that assignee, or with `force` (checked to come from
 * an admin): answers the holder whose hold is overridden, or null when there is none.
 */
export function assertHolder(task: Task, agent: string, force: boolean): string | null {
  // A blocked task assigned in advance belongs to its assignee as much as a claimed one.
  if (task.assignee === null || task.assignee === agent) return null;
  if (force) return task.assignee;
  throw new HuddleError(
    'conflict',
    'task_claimed',
    `${task.id} is ${heldAs(task)} by ${task.assignee}; only ${task.assignee} can change it. Ask them, or pick another task from "ready". ${OVERRIDE_HINT}`,
    { details: { id: task.id, assignee: task.assignee, status: task.status } },
  );
}

/** Claim and start never take a task held by another agent, not even with force. */
export function heldByOther(task: Task): HuddleError {
  return new HuddleError(
    'conflict',
    'task_claimed',
    `${task.id} is ${heldAs(task)} by ${task.assignee}. Pick another task from "ready", or ask ${task.assignee} to hand it off; an admin can hand it off with --force (force: true), to their own agent too.`,
    { details: { id: task.id, assignee: task.assignee, status: task.status } },
  );
}

function heldAs(task: Task): string {
  return { claimed: 'claimed', in_progress: 'in progress' }[task.status as 'claimed'] ?? 'assigned';
}

export function assertNotClosed(task: Task): void {
  if (task.status === 'done' || task.status === 'cancelled') {
    throw new HuddleError(
      'conflict',
      'task_closed',
      `${task.id} is ${task.status}; a closed task does not change. Add a new task instead.`,
      { details: { id: task.id, status: task.status } },
    );
  }
}

export function blockedError(task: Task, waitingOn: string[]): HuddleError {
  return new HuddleError(
    'conflict',
    'task_blocked',
    `${task.id} is blocked until ${waitingOn.join(', ')} ${waitingOn.length === 1 ? 'is' : 'are'} done.`,
    { details: { id: task.id, waiting_on: waitingOn } },
  );
}

const PRIORITY_RANK = Object.fromEntries(TASK_PRIORITIES.map((p, i) => [p, i])) as Record<
  TaskPriority,
  number
>;

/** Highest priority first, then oldest. */
export function byPriority(a: Task, b: Task): number {
  return (
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    a.created_at.localeCompare(b.created_at) ||
    a.id.localeCompare(b.id)
  );
}
