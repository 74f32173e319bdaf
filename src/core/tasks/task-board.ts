// The board as compact text for agents and terminals:
// `[T-4k2p] CLAIMED     [CRITICAL] Fix auth expiry check (backend)`.

import type { Lease, Task } from '../types.js';
import { byPriority } from './task-rules.js';

/** Work in hand first, then what can start, then what waits, then what is closed. */
const STATUS_ORDER: Record<Task['status'], number> = {
  in_progress: 0,
  claimed: 1,
  open: 2,
  blocked: 3,
  done: 4,
  cancelled: 5,
};

const STATUS_WIDTH = 'IN_PROGRESS'.length;

/** One task on one line, with its assignee and what it waits on. */
export function renderTaskLine(task: Task): string {
  const status = task.status.toUpperCase().padEnd(STATUS_WIDTH);
  const who = task.assignee ? ` (${task.assignee})` : '';
  const waits =
    task.status === 'blocked' && task.depends_on.length
      ? ` waits on ${task.depends_on.join(', ')}`
      : '';
  return `[${task.id}] ${status} [${task.priority.toUpperCase()}] ${task.title}${who}${waits}`;
}

/** The whole board, in status order, highest priority first within each status. */
export function renderBoard(tasks: Task[]): string {
  if (tasks.length === 0) return 'The board is empty.';
  return [...tasks]
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || byPriority(a, b))
    .map(renderTaskLine)
    .join('\n');
}

/** `L-4k2p9x backend exclusive src/auth/** until 12:30 (reason)`. */
export function renderLeaseLine(lease: Lease): string {
  const reason = lease.reason ? ` — ${lease.reason}` : '';
  return `${lease.id} ${lease.agent} ${lease.mode} ${lease.paths.join(', ')} until ${lease.expires_at}${reason}`;
}
