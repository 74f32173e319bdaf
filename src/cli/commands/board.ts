// huddle board: the room's tasks in status order; --ready lists what can start now.

import type { Run } from '../registry.js';
import { usageError } from '../cli-error.js';
import { renderBoard, renderTaskLine } from '../../core/tasks/task-board.js';

export const run: Run = async (ctx, [room], flags) => {
  const ready = flags.ready === true;
  if (ready && (flags.all === true || flags.mine === true))
    throw usageError(
      '--ready lists the open, unassigned tasks: it takes neither --all nor --mine.',
    );
  const { client, credential } = ctx.forRoom(room!);
  if (ready) {
    // The hub answers highest priority first, then oldest.
    const answer = await client.tasks(room!, { ready: true });
    return ctx.print(answer, () =>
      answer.tasks.length === 0
        ? 'Nothing is ready.\n'
        : answer.tasks.map((t) => renderTaskLine(t) + '\n').join(''),
    );
  }
  const assignee = flags.mine === true ? ctx.agentFor(room!, credential) : undefined;
  const answer = await client.tasks(room!, {
    ...(flags.all === true && { status: ['all'] }),
    ...(assignee !== undefined && { assignee }),
  });
  ctx.print(answer, () =>
    assignee !== undefined && answer.tasks.length === 0
      ? `No ${flags.all === true ? '' : 'open '}tasks for ${assignee}.\n`
      : renderBoard(answer.tasks) + '\n',
  );
};
