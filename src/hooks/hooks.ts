// Every hook huddle answers, by client and event name (the name after `huddle hook`).

import { CLAUDE_HOOKS } from './claude-hooks.js';
import { CODEX_HOOKS } from './codex-hooks.js';
import { GEMINI_HOOKS } from './gemini-hooks.js';
import type { HookClient, HookHandler } from './hook-types.js';

export const HOOKS: Record<HookClient, Record<string, HookHandler>> = {
  'claude-code': CLAUDE_HOOKS,
  codex: CODEX_HOOKS,
  gemini: GEMINI_HOOKS,
};

/** How long Claude Code lets the waiter run (its hook timeout, in seconds): a day. */
export const WAITER_TIMEOUT_SECONDS = 86_400;
