// huddle leases: the room's live leases; --check PATH shows those covering a path or glob.

import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { renderLeaseLine } from '../../core/tasks/task-board.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client } = ctx.forRoom(room!);
  const path = stringFlag(flags, 'check');
  const agent = stringFlag(flags, 'agent');
  const answer = await client.leases(room!, {
    ...(path !== undefined && { path }),
    ...(agent !== undefined && { agent }),
  });
  ctx.print(answer, () =>
    answer.leases.length > 0
      ? answer.leases.map((l) => renderLeaseLine(l) + '\n').join('')
      : path !== undefined
        ? `No lease covers ${path}.\n`
        : 'No live leases.\n',
  );
};
