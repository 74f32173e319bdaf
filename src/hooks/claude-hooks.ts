// Claude Code's hooks: the digest at session start; new messages as additionalContext before each
// tool call and with each prompt; the lease guard that refuses an edit of another agent's path; and
// permission prompts answered by a person through the hub.

import { denyTool } from './hook-output.js';
import { messagesAsContext } from './inject.js';
import { EDIT_TOOLS, checkEdit, projectPath } from './lease-guard.js';
import { permissionRequestHook } from './permission-request.js';
import { sessionStartHook } from './session-start.js';
import type { HookHandler } from './hook-types.js';

const preToolUseMessages = messagesAsContext('PreToolUse');

export const CLAUDE_HOOKS: Record<string, HookHandler> = {
  'session-start': sessionStartHook,

  'pre-tool-use': async (ctx) => {
    const field = EDIT_TOOLS[ctx.input.tool_name ?? ''];
    const file = field ? ctx.input.tool_input?.[field] : undefined;
    if (typeof file === 'string' && file !== '') {
      const path = projectPath(ctx.projectDir, ctx.input.cwd ?? ctx.projectDir, file);
      const reason = path && (await checkEdit(ctx.hub, ctx.room, ctx.agent, path));
      // Messages wait for the next call: a refused call shows only why it was refused.
      if (reason) return denyTool(reason);
    }
    return preToolUseMessages(ctx);
  },

  'post-tool-use': messagesAsContext('PostToolUse'),
  'user-prompt-submit': messagesAsContext('UserPromptSubmit'),

  'permission-request': (ctx) =>
    permissionRequestHook(ctx, { hookTimeoutSeconds: ctx.timeoutSeconds, signal: ctx.signal }),
};
