// Codex CLI's hooks. Codex has no way to wake an idle session, so messages arrive at turn
// boundaries: at session start the digest; with each prompt the new messages; and when the agent
// would stop, new messages block the stop and become its next input. Its PermissionRequest hook
// takes the same output as Claude Code's: a person answers through the hub.

import { blockStop } from './hook-output.js';
import { messagesAsContext, takeMessages } from './inject.js';
import { permissionRequestHook } from './permission-request.js';
import { reportState } from './presence-report.js';
import { sessionStartHook } from './session-start.js';
import { NOTHING, type HookHandler } from './hook-types.js';

const promptMessages = messagesAsContext('UserPromptSubmit');

export const CODEX_HOOKS: Record<string, HookHandler> = {
  'session-start': sessionStartHook,
  'user-prompt-submit': async (ctx) => {
    const [result] = await Promise.all([promptMessages(ctx), reportState(ctx, 'working')]);
    return result;
  },
  stop: async (ctx) => {
    const text = await takeMessages(ctx);
    if (text !== null) return blockStop(text);
    // Nothing keeps it going: the turn ends and the agent waits for its person's next prompt.
    await reportState(ctx, 'idle');
    return NOTHING;
  },
  'permission-request': (ctx) =>
    permissionRequestHook(ctx, { hookTimeoutSeconds: ctx.timeoutSeconds, signal: ctx.signal }),
};
