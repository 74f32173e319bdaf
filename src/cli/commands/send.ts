// huddle send: a message from one of this machine's agents to an agent, a list, or everyone.

import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { listFlag } from '../list-flag.js';
import { readMarkdown } from '../text-input.js';

export const run: Run = async (ctx, [room, to, ...words], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const body = await readMarkdown(ctx.io, words);
  const recipients = to === '*' ? '*' : listFlag(to)!;
  const { message } = await client.send(
    room!,
    agent,
    {
      to: Array.isArray(recipients) && recipients.length === 1 ? recipients[0]! : recipients,
      body,
      ...(stringFlag(flags, 'kind') && { kind: stringFlag(flags, 'kind')! }),
      ...(stringFlag(flags, 'reply-to') && { reply_to: stringFlag(flags, 'reply-to')! }),
      ...(stringFlag(flags, 'thread') && { thread: stringFlag(flags, 'thread')! }),
      ...(flags.urgent === true && { priority: 'urgent' as const }),
    },
    stringFlag(flags, 'key'),
  );
  ctx.print(
    { message },
    () => `Sent ${message.id} from ${agent} to ${message.recipients.join(', ')}.\n`,
  );
};
