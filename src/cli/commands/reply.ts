// huddle reply: answers a message to its sender, in its thread, and acks it.

import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { readMarkdown } from '../text-input.js';

export const run: Run = async (ctx, [room, id, ...words], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const body = await readMarkdown(ctx.io, words);
  const kind = stringFlag(flags, 'kind');
  const { message } = await client.reply(
    room!,
    agent,
    id!,
    { body, ...(kind && { kind }) },
    stringFlag(flags, 'key'),
  );
  ctx.print(
    { message },
    () => `Replied ${message.id} to ${message.recipients.join(', ')}; ${id} is acked.\n`,
  );
};
