// SessionStart for every client: records the session with the hub and returns the agent's digest,
// so the model knows its room, checkpoint, unread messages, tasks and leases after a start, a
// resume or a compaction.

import { SESSION_ID_PATTERN, SESSION_SOURCES } from '../core/sessions/sessions.js';
import { renderDigest } from './context-text.js';
import { addContext } from './hook-output.js';
import type { HookContext, HookHandler } from './hook-types.js';

const SOURCES: ReadonlySet<string> = new Set(SESSION_SOURCES);

async function startSession(ctx: HookContext): Promise<string> {
  const source = ctx.input.source && SOURCES.has(ctx.input.source) ? ctx.input.source : 'other';
  const { digest } = await ctx.hub.startSession(ctx.room, ctx.agent, {
    session_id: sessionId(ctx),
    source,
    client: ctx.client,
    cwd: ctx.projectDir,
  });
  return renderDigest(digest, source);
}

/** The client's session id, or a stand-in when the client sent none (or one the hub refuses). */
function sessionId(ctx: HookContext): string {
  const id = ctx.input.session_id;
  return id && SESSION_ID_PATTERN.test(id) ? id : 'unknown';
}

/** SessionStart in every client: the digest as additionalContext. */
export const sessionStartHook: HookHandler = async (ctx) =>
  addContext('SessionStart', await startSession(ctx));
