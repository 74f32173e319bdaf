// The JSON shapes that put text in front of a model or refuse a tool call, as Claude Code, Codex
// and Gemini CLI document them for command hooks.

import type { HookResult } from './hook-types.js';

const json = (value: unknown): HookResult => ({ stdout: JSON.stringify(value) + '\n', code: 0 });

/** Adds `text` to the model's context for this event (SessionStart, PreToolUse, AfterTool, ...). */
export function addContext(event: string, text: string): HookResult {
  return json({ hookSpecificOutput: { hookEventName: event, additionalContext: text } });
}

/** Claude Code's PreToolUse refusal: the call does not run and the model sees `reason`. */
export function denyTool(reason: string): HookResult {
  return json({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
      permissionDecisionReason: reason,
    },
  });
}

/** A Stop (Codex, Claude Code) that keeps the agent going with `reason` as its next input. */
export function blockStop(reason: string): HookResult {
  return json({ decision: 'block', reason });
}
