// The Store slice of the task board.

import type { RoomEvent, Task } from '../types.js';
import type { Idempotency, TaskBoard, TaskChange } from '../store.js';

export interface TaskStore {
  /**
   * Runs `change` on the room's board and applies its outcome, in one transaction: the board it
   * sees is current and no other change of the room's tasks interleaves, so of concurrent claims
   * exactly one sees the task open. `change` is synchronous and may throw a HuddleError, which
   * rolls back everything. `include` names closed tasks the change needs to see. A replayed
   * idempotency key returns the first result and changes nothing.
   */
  changeTasks<T>(
    roomId: string,
    include: string[],
    change: (board: TaskBoard) => TaskChange<T>,
    idem?: Idempotency,
  ): Promise<{ result: T; event: RoomEvent | null }>;

  getTask(roomId: string, id: string): Promise<Task | null>;

  /** Tasks of the room, optionally only those with one of `statuses` or this assignee; oldest first. */
  listTasks(
    roomId: string,
    filter: { statuses?: Task['status'][]; assignee?: string },
  ): Promise<Task[]>;
}
