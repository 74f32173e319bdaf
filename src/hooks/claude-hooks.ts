// Claude Code's hooks: the digest at session start; new messages as additionalContext before each
// tool call and with each prompt; and the lease guard that refuses an edit of another agent's path.

import { addContext, denyTool } from './hook-output.js';
import { takeMessages } from './inject.js';
import { EDIT_TOOLS, checkEdit, projectPath } from './lease-guard.js';
import { startSession } from './session-start.js';
import { NOTHING, type HookContext, type HookHandler } from './hook-types.js';

const withMessages = (event: string) => async (ctx: HookContext) => {
  const text = await takeMessages(ctx);
  return text === null ? NOTHING : addContext(event, text);
};

export const CLAUDE_HOOKS: Record<string, HookHandler> = {
  'session-start': async (ctx) => addContext('SessionStart', await startSession(ctx)),

  'pre-tool-use': async (ctx) => {
    const field = EDIT_TOOLS[ctx.input.tool_name ?? ''];
    const file = field ? ctx.input.tool_input?.[field] : undefined;
    if (typeof file === 'string' && file !== '') {
      const path = projectPath(ctx.projectDir, ctx.input.cwd ?? ctx.projectDir, file);
      const reason = path && (await checkEdit(ctx.hub, ctx.room, ctx.agent, path));
      // Messages wait for the next call: a refused call shows only why it was refused.
      if (reason) return denyTool(reason);
    }
    return withMessages('PreToolUse')(ctx);
  },

  'post-tool-use': withMessages('PostToolUse'),
  'user-prompt-submit': withMessages('UserPromptSubmit'),
};
