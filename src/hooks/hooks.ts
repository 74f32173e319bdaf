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

/**
 * How long Claude Code and Codex CLI let the PermissionRequest hook wait for a person (seconds):
 * longer than the longest approval timeout a hub may set (3,600 s), so the hub's expiry, not the
 * client, ends the wait.
 */
export const APPROVAL_HOOK_TIMEOUT_SECONDS = 3660;
