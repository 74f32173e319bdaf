// The message waiter: run by Claude Code as an asyncRewake hook from SessionStart and Stop. It
// waits on the hub for a message to its agent; when one arrives it prints it on stderr and exits
// with code 2, which wakes the session even when idle. One waiter per session runs at a time.

import { renderMessages } from './context-text.js';
import { MESSAGES_PER_HOOK } from './inject.js';
import { NOTHING, type HookContext, type HookResult } from './hook-types.js';
import { acquireWaiterLock, waiterFile } from './waiter-lock.js';
import { rmSync, readFileSync, writeFileSync } from 'node:fs';

export interface WaiterOptions {
  /** Where the session's lock lives. */
  lockDir: string;
  /** The waiter ends before this, so the client's hook timeout never kills it unseen. */
  lifetimeMs: number;
  /** False once the client that started the waiter is gone: nobody is left to wake. */
  clientAlive: () => boolean;
  /** A one-line warning, written once per kind (the hub is down, ...). */
  warn?: (line: string) => void;
  /**
   * The agent's name, looked up again while the agent does not exist yet: at session start the
   * waiter may run before the bridge or the SessionStart hook registered it (maybe suffixed).
   */
  resolveAgent?: () => string;
}

/** How long one long-poll of the hub lasts. */
const POLL_SECONDS = 25;
/** How long an agent that does not exist yet is waited for before the waiter gives up. */
const REGISTRATION_GRACE_MS = 20_000;

const now = () => Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether Claude Code, started with this command line, runs asyncRewake hooks in the foreground:
 * plain `claude -p` does (only an interactive session, or one reading `--input-format
 * stream-json`, runs them in the background), and a waiter there would hold the session open.
 */
export function claudeRunsHooksInForeground(args: string[]): boolean {
  const print = args.includes('-p') || args.includes('--print');
  const at = args.indexOf('--input-format');
  const streaming =
    (at >= 0 && args[at + 1] === 'stream-json') || args.includes('--input-format=stream-json');
  return print && !streaming;
}

const unreachable = (err: unknown) => {
  const e = err as { code?: string; retryable?: boolean };
  return e.code === 'hub_unreachable' || e.retryable === true;
};

export async function runWaiter(ctx: HookContext, options: WaiterOptions): Promise<HookResult> {
  const session = ctx.input.session_id ?? 'unknown';
  const lock = acquireWaiterLock(options.lockDir, session);
  if (!lock) return NOTHING; // a live waiter already watches this session
  const deadline = now() + options.lifetimeMs;
  const failed = waiterFile(options.lockDir, session, 'failed');
  const registeredBy = now() + REGISTRATION_GRACE_MS;
  let agent = ctx.agent;
  let failures = 0;
  try {
    while (now() < deadline - 1000) {
      if (!options.clientAlive() || !lock.held()) return NOTHING;
      const wait = Math.min(POLL_SECONDS, Math.floor((deadline - now()) / 1000));
      try {
        const { messages } = await ctx.hub.inject(ctx.room, agent, {
          limit: MESSAGES_PER_HOOK,
          wait: Math.max(1, wait),
        });
        if (failures > 0) failures = 0;
        rmSync(failed, { force: true });
        if (messages.length > 0) return { stderr: renderMessages(messages) + '\n', code: 2 };
      } catch (err) {
        if ((err as { code?: string }).code === 'agent_not_found' && now() < registeredBy) {
          await sleep(300);
          agent = options.resolveAgent?.() ?? agent;
          continue;
        }
        if (!unreachable(err)) return stopped(err, failed);
        if (failures++ === 0) options.warn?.(`huddle: the hub is not reachable; waiting for it.`);
        await sleep(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)));
      }
    }
    return {
      stderr: `huddle: no message for this agent for ${duration(options.lifetimeMs)}; the message waiter starts again when this turn ends.\n`,
      code: 2,
    };
  } finally {
    lock.release();
  }
}

/** `23 h`, `15 min` or `40 s`. */
function duration(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 2 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * The hub refused the waiter (a revoked token, a retired agent): the session is woken once to say
 * so, and a waiter that meets the same refusal again in this session ends quietly instead of
 * waking it after every turn.
 */
function stopped(err: unknown, failed: string): HookResult {
  const e = err as { code?: string; message?: string };
  const line = `huddle: the message waiter stopped: ${(e.message ?? String(err)).replace(/\.$/, '')}`;
  let before: string | null = null;
  try {
    before = readFileSync(failed, 'utf8');
  } catch {
    // first time
  }
  if (before === (e.code ?? 'error')) return { stderr: line + '\n', code: 0 };
  writeFileSync(failed, e.code ?? 'error', { mode: 0o600 });
  return { stderr: `${line}. Messages still arrive with each tool call.\n`, code: 2 };
}
