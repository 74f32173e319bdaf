// huddle write: appends a Markdown note to the room.

import type { Run } from '../registry.js';
import { readMarkdown } from '../text-input.js';

export const run: Run = async (ctx, [room, ...words]) => {
  const { client } = ctx.forRoom(room!);
  const text = await readMarkdown(ctx.io, words);
  const { event } = await client.writeNote(room!, text);
  ctx.print(event, () => `Wrote note #${event.seq} to ${event.room}.\n`);
};
