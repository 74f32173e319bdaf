// Gemini CLI's hooks (`huddle hook` prints `{}` for one that has nothing to say: Gemini CLI reads
// stdout as JSON). Gemini CLI cannot wake an idle session: new messages join the context before
// each turn of the agent and after each tool call.

import { messagesAsContext } from './inject.js';
import { leaveWaiting, notificationWaits, reportState } from './presence-report.js';
import { sessionStartHook } from './session-start.js';
import { NOTHING, type HookHandler } from './hook-types.js';

const beforeAgentMessages = messagesAsContext('BeforeAgent');
const afterToolMessages = messagesAsContext('AfterTool');

export const GEMINI_HOOKS: Record<string, HookHandler> = {
  'session-start': sessionStartHook,
  'before-agent': async (ctx) => {
    const [result] = await Promise.all([beforeAgentMessages(ctx), reportState(ctx, 'working')]);
    return result;
  },
  'after-tool': async (ctx) => {
    const [result] = await Promise.all([afterToolMessages(ctx), leaveWaiting(ctx)]);
    return result;
  },
  // A tool call waits for the person's confirmation (observed only: Gemini CLI ignores output).
  notification: async (ctx) => {
    if (notificationWaits(ctx.client, ctx.input.notification_type))
      await reportState(ctx, 'waiting');
    return NOTHING;
  },
  'after-agent': async (ctx) => {
    await reportState(ctx, 'idle');
    return NOTHING;
  },
};
