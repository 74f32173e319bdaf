// Claude Code's hooks: the digest at session start; new messages as additionalContext before each
// tool call and with each prompt; the lease guard that refuses an edit of another agent's path;
// permission prompts answered by a person through the hub; and the agent's state (waiting for
// its person, working, idle) for the cockpit.

import { denyTool } from './hook-output.js';
import { messagesAsContext } from './inject.js';
import { EDIT_TOOLS, checkEdit, projectPath } from './lease-guard.js';
import { permissionRequestHook } from './permission-request.js';
import { leaveWaiting, notificationWaits, reportState } from './presence-report.js';
import { sessionStartHook } from './session-start.js';
import { NOTHING, type HookHandler } from './hook-types.js';

const preToolUseMessages = messagesAsContext('PreToolUse');
const promptMessages = messagesAsContext('UserPromptSubmit');

export const CLAUDE_HOOKS: Record<string, HookHandler> = {
  'session-start': sessionStartHook,

  'pre-tool-use': async (ctx) => {
    const moved = leaveWaiting(ctx);
    const field = EDIT_TOOLS[ctx.input.tool_name ?? ''];
    const file = field ? ctx.input.tool_input?.[field] : undefined;
    if (typeof file === 'string' && file !== '') {
      const path = projectPath(ctx.projectDir, ctx.input.cwd ?? ctx.projectDir, file);
      const reason = path && (await checkEdit(ctx.hub, ctx.room, ctx.agent, path));
      // Messages wait for the next call: a refused call shows only why it was refused.
      if (reason) {
        await moved;
        return denyTool(reason);
      }
    }
    const [result] = await Promise.all([preToolUseMessages(ctx), moved]);
    return result;
  },

  'post-tool-use': messagesAsContext('PostToolUse'),

  'user-prompt-submit': async (ctx) => {
    const [result] = await Promise.all([promptMessages(ctx), reportState(ctx, 'working')]);
    return result;
  },

  // A permission prompt, a question, or the prompt idle for a minute: the person is needed.
  notification: async (ctx) => {
    if (notificationWaits(ctx.client, ctx.input.notification_type))
      await reportState(ctx, 'waiting');
    return NOTHING;
  },

  // The turn ended; the waiter (installed on Stop too) wakes the session for a new message.
  stop: async (ctx) => {
    await reportState(ctx, 'idle');
    return NOTHING;
  },

  'permission-request': (ctx) =>
    permissionRequestHook(ctx, { hookTimeoutSeconds: ctx.timeoutSeconds, signal: ctx.signal }),
};
