// huddle history: events after a cursor, one page at a time.

import type { Run } from '../registry.js';
import { intFlag } from '../flags.js';
import { renderEvent } from '../render.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client } = ctx.forRoom(room!);
  const page = await client.history(room!, intFlag(flags, 'after'), intFlag(flags, 'limit'));
  ctx.print(page, () => {
    const next = page.has_more
      ? `More: huddle history ${room} --after ${page.next_after}\n`
      : `End of the log (cursor ${page.next_after}).\n`;
    return page.events.map(renderEvent).join('\n') + (page.events.length ? '\n' : '') + next;
  });
};
