// huddle inbox: the agent's unread messages, recorded as read unless --peek.

import type { Run } from '../registry.js';
import { intFlag } from '../flags.js';
import { renderInbox } from '../render.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const limit = intFlag(flags, 'limit');
  const wait = intFlag(flags, 'wait');
  const all = flags.all === true;
  let { messages } = await client.peekInbox(room!, agent, { limit, all, wait });
  if (flags.peek !== true && messages.some((m) => !m.receipt.read_at)) {
    ({ messages } = await client.readInbox(room!, agent, {
      ids: messages.map((m) => m.message.id),
    }));
  }
  ctx.print({ messages }, () =>
    messages.length === 0
      ? `No ${all ? 'open' : 'unread'} messages for ${agent}.\n`
      : renderInbox(messages),
  );
};
