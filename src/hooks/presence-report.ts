// What hooks tell the hub about their agent's state, so a person sees who needs them: `waiting`
// when the client asks its person something (a permission prompt, a question, idle at the
// prompt), `working` when a prompt or the next tool call shows it moved on, `idle` when its turn
// ended. A small marker file remembers a reported wait, so the tool calls after it cost a
// file check, not a request.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HookContext } from './hook-types.js';

export type ReportedState = 'working' | 'idle' | 'waiting';

/** The marker of a reported wait, one per hub, room and agent. */
function marker(ctx: HookContext): string | null {
  if (!ctx.stateDir) return null;
  const key = createHash('sha256').update(`${ctx.hubUrl ?? ''}\n${ctx.room}\n${ctx.agent}`);
  return join(ctx.stateDir, `waiting-${key.digest('hex').slice(0, 16)}`);
}

/** Reports the agent's state; presence is best-effort, so a failure only loses the report. */
export async function reportState(ctx: HookContext, state: ReportedState): Promise<void> {
  const path = marker(ctx);
  try {
    await ctx.hub.heartbeat(ctx.room, ctx.agent, state);
  } catch {
    return;
  }
  if (!path) return;
  if (state === 'waiting') {
    mkdirSync(ctx.stateDir!, { recursive: true, mode: 0o700 });
    writeFileSync(path, '', { mode: 0o600 });
  } else rmSync(path, { force: true });
}

/** After a reported wait, the agent moving on (a tool call) means it works again. */
export async function leaveWaiting(ctx: HookContext): Promise<void> {
  const path = marker(ctx);
  if (path && existsSync(path)) await reportState(ctx, 'working');
}

/** Claude Code's Notification types that mean the client waits for its person. */
const CLAUDE_WAITING = new Set(['permission_prompt', 'idle_prompt', 'elicitation_dialog']);
/** Gemini CLI's: a tool call waits for confirmation. */
const GEMINI_WAITING = new Set(['ToolPermission']);

/** Whether a Notification hook's type means the agent waits for a person. */
export function notificationWaits(client: HookContext['client'], type: string | undefined) {
  if (type === undefined) return false;
  return (client === 'gemini' ? GEMINI_WAITING : CLAUDE_WAITING).has(type);
}
