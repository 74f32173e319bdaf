// Gemini CLI's hooks (stdout must be pure JSON). Gemini CLI cannot wake an idle session: new
// messages join the context before each turn of the agent and after each tool call.

import { addContext } from './hook-output.js';
import { takeMessages } from './inject.js';
import { startSession } from './session-start.js';
import type { HookHandler, HookResult } from './hook-types.js';

/** Gemini CLI reads every hook's stdout as JSON: an empty object says "nothing to add". */
const EMPTY: HookResult = { stdout: '{}\n', code: 0 };

const withMessages =
  (event: string): HookHandler =>
  async (ctx) => {
    const text = await takeMessages(ctx);
    return text === null ? EMPTY : addContext(event, text);
  };

export const GEMINI_HOOKS: Record<string, HookHandler> = {
  'session-start': async (ctx) => addContext('SessionStart', await startSession(ctx)),
  'before-agent': withMessages('BeforeAgent'),
  'after-tool': withMessages('AfterTool'),
};
