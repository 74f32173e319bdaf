// huddle export: writes the whole room, in order, to standard output.

import type { Run } from '../registry.js';
import { usageError } from '../cli-error.js';
import { stringFlag } from '../flags.js';

export const run: Run = async (ctx, [room], flags) => {
  const format = stringFlag(flags, 'format') ?? (ctx.json ? 'jsonl' : 'md');
  if (format !== 'md' && format !== 'jsonl') throw usageError('--format must be md or jsonl.');
  const { client } = ctx.forRoom(room!);
  await client.exportRoom(room!, format, (chunk) => ctx.io.stdout(chunk.toString('utf8')));
};
