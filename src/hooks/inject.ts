// Takes the agent's messages that no hook or channel showed yet: the hub records them `injected`
// and hands each to exactly one caller, so hooks and the channel never show a message twice.

import { renderMessages } from './context-text.js';
import { addContext } from './hook-output.js';
import { NOTHING, type HookContext, type HookHandler } from './hook-types.js';

/** At most this many messages go into one hook's output; the rest wait for the next one. */
export const MESSAGES_PER_HOOK = 10;

/** The framed text of the messages taken, or null when there were none. */
export async function takeMessages(ctx: HookContext): Promise<string | null> {
  const { messages } = await ctx.hub.inject(ctx.room, ctx.agent, { limit: MESSAGES_PER_HOOK });
  return messages.length === 0 ? null : renderMessages(messages);
}

/** A hook that adds the new messages to the context of `event`, and says nothing without any. */
export const messagesAsContext =
  (event: string): HookHandler =>
  async (ctx) => {
    const text = await takeMessages(ctx);
    return text === null ? NOTHING : addContext(event, text);
  };
