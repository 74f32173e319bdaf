// Gemini CLI's hooks (`huddle hook` prints `{}` for one that has nothing to say: Gemini CLI reads
// stdout as JSON). Gemini CLI cannot wake an idle session: new messages join the context before
// each turn of the agent and after each tool call.

import { messagesAsContext } from './inject.js';
import { sessionStartHook } from './session-start.js';
import type { HookHandler } from './hook-types.js';

export const GEMINI_HOOKS: Record<string, HookHandler> = {
  'session-start': sessionStartHook,
  'before-agent': messagesAsContext('BeforeAgent'),
  'after-tool': messagesAsContext('AfterTool'),
};
