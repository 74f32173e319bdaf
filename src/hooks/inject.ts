// Takes the agent's messages that no hook or channel showed yet: the hub records them `injected`
// and hands each to exactly one caller, so hooks and the channel never show a message twice.

import { renderMessages } from './context-text.js';
import type { HookContext } from './hook-types.js';

/** At most this many messages go into one hook's output; the rest wait for the next one. */
export const MESSAGES_PER_HOOK = 10;

/** The framed text of the messages taken, or null when there were none. */
export async function takeMessages(ctx: HookContext, budget?: number): Promise<string | null> {
  const { messages } = await ctx.hub.inject(ctx.room, ctx.agent, { limit: MESSAGES_PER_HOOK });
  return messages.length === 0 ? null : renderMessages(messages, budget);
}
