// Gemini CLI's hooks (`huddle hook` prints `{}` for one that has nothing to say: Gemini CLI reads
// stdout as JSON). Gemini CLI cannot wake an idle session: new messages join the context before
// each turn of the agent and after each tool call.

import { addContext } from './hook-output.js';
import { takeMessages } from './inject.js';
import { startSession } from './session-start.js';
import { NOTHING, type HookHandler } from './hook-types.js';

const withMessages =
  (event: string): HookHandler =>
  async (ctx) => {
    const text = await takeMessages(ctx);
    return text === null ? NOTHING : addContext(event, text);
  };

export const GEMINI_HOOKS: Record<string, HookHandler> = {
  'session-start': async (ctx) => addContext('SessionStart', await startSession(ctx)),
  'before-agent': withMessages('BeforeAgent'),
  'after-tool': withMessages('AfterTool'),
};
