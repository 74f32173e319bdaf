// huddle task show: one task with its dependencies, description and result.

import type { Run } from '../registry.js';
import { renderTaskLine } from '../../core/tasks/task-board.js';
import type { Task } from '../../core/types.js';

function render(task: Task): string {
  const lines = [
    renderTaskLine(task),
    `Created by ${task.created_by} at ${task.created_at}; updated ${task.updated_at}.`,
  ];
  if (task.depends_on.length) lines.push(`Depends on ${task.depends_on.join(', ')}.`);
  if (task.closed_at) lines.push(`Closed at ${task.closed_at}.`);
  if (task.description) lines.push('', task.description.trimEnd());
  if (task.result) lines.push('', 'Result:', task.result.trimEnd());
  return lines.join('\n') + '\n';
}

export const run: Run = async (ctx, [room, id]) => {
  const { client } = ctx.forRoom(room!);
  const answer = await client.task(room!, id!);
  ctx.print(answer, () => render(answer.task));
};
