// Codex CLI's hooks. Codex has no way to wake an idle session, so messages arrive at turn
// boundaries: at session start the digest; with each prompt the new messages; and when the agent
// would stop, new messages block the stop and become its next input. Its PermissionRequest hook
// takes the same output as Claude Code's: a person answers through the hub.

import { blockStop } from './hook-output.js';
import { messagesAsContext, takeMessages } from './inject.js';
import { permissionRequestHook } from './permission-request.js';
import { sessionStartHook } from './session-start.js';
import { NOTHING, type HookHandler } from './hook-types.js';

export const CODEX_HOOKS: Record<string, HookHandler> = {
  'session-start': sessionStartHook,
  'user-prompt-submit': messagesAsContext('UserPromptSubmit'),
  stop: async (ctx) => {
    const text = await takeMessages(ctx);
    return text === null ? NOTHING : blockStop(text);
  },
  'permission-request': (ctx) =>
    permissionRequestHook(ctx, { hookTimeoutSeconds: ctx.timeoutSeconds, signal: ctx.signal }),
};
