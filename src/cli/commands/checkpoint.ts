// huddle checkpoint: replaces the room's checkpoint, optionally only from a known version.

import type { Run } from '../registry.js';
import { intFlag } from '../flags.js';
import { readMarkdown } from '../text-input.js';

export const run: Run = async (ctx, [room, ...words], flags) => {
  const { client } = ctx.forRoom(room!);
  const text = await readMarkdown(ctx.io, words);
  const result = await client.setCheckpoint(room!, text, intFlag(flags, 'expect-version'));
  ctx.print(result, () => `Checkpoint of ${room} is now version ${result.checkpoint.version}.\n`);
};
