// huddle hook <event>: answers a coding client's hook. It reads the hook's JSON on stdin, acts for
// the agent of this session, and prints exactly what the client expects. It never blocks the
// client by accident: when the hub is down or anything fails it prints one warning line and
// exits 0; only the waiter exits 2, to wake the session.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CliContext } from '../context.js';
import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import {
  HOOK_CLIENTS,
  NOTHING,
  type HookClient,
  type HookContext,
  type HookResult,
} from '../../hooks/hook-types.js';
import { HookInputError, parseHookInput } from '../../hooks/hook-input.js';
import { HOOKS, WAITER_TIMEOUT_SECONDS } from '../../hooks/hooks.js';
import { findSessionLink, linkedElsewhere } from '../../hooks/session-link.js';
import { ancestors, clientProcess, commandLine, processAlive } from '../../hooks/process-tree.js';
import { createHubClient } from '../../client/hub-client.js';
import { credentialForRoom, usesLocalHub } from '../local-hub.js';
import { defaultAgent, defaultRoom, repoRoot } from '../repo-identity.js';

const CLIENT_ALIASES: Record<string, HookClient> = {
  claude: 'claude-code',
  'claude-code': 'claude-code',
  codex: 'codex',
  gemini: 'gemini',
};

/** A quick hook gives up on the hub after this; a tool call never waits longer for huddle. */
const HOOK_HTTP_TIMEOUT_MS = 3000;

export const run: Run = async (ctx, [event], flags) => {
  const warn = (line: string) => ctx.io.stderr(`huddle hook ${event}: ${line}\n`);
  const clientName = stringFlag(flags, 'client') ?? 'claude-code';
  const client = Object.hasOwn(CLIENT_ALIASES, clientName) ? CLIENT_ALIASES[clientName] : null;
  if (!client) {
    warn(
      `unknown client "${clientName}"; choose one of ${HOOK_CLIENTS.join(', ')} (or claude for claude-code).`,
    );
    return 1;
  }
  const handlers = HOOKS[client];
  const handler = Object.hasOwn(handlers, event!) ? handlers[event!] : undefined;
  if (event !== 'wait' && !handler) {
    warn(`unknown event for ${client}; known: ${[...Object.keys(handlers), 'wait'].join(', ')}.`);
    return 1;
  }
  const timeout = Number(stringFlag(flags, 'timeout') ?? WAITER_TIMEOUT_SECONDS);
  if (!Number.isFinite(timeout) || timeout < 1) {
    warn('--timeout must be a number of seconds, at least 1 (the hook timeout of the waiter).');
    return 1;
  }
  try {
    const input = parseHookInput(await ctx.io.readStdin());
    const env = ctx.io.env;
    const dir = env.CLAUDE_PROJECT_DIR || env.GEMINI_PROJECT_DIR || input.cwd || process.cwd();
    const root = repoRoot(dir);
    const room = stringFlag(flags, 'room') ?? (env.HUDDLE_ROOM || defaultRoom(root));
    const { home, url } = ctx.config;
    // The waiter watches its client process; quick hooks do not look for it.
    const clientPid = event === 'wait' ? clientProcess() : process.ppid;
    if (event === 'wait' && client === 'claude-code') {
      // In plain `claude -p` a waiter would hold the session open for a day: none runs there.
      const { claudeRunsHooksInForeground } = await import('../../hooks/waiter.js');
      const clientArgs = commandLine(clientPid);
      if (clientArgs && claudeRunsHooksInForeground(clientArgs)) return 0;
    }
    const credential = await credentialFor(ctx, room, event === 'wait');
    // --as or HUDDLE_AGENT; else the agent this session's bridge registered; else the default
    // name, unless another running session's bridge speaks for it (then null: not ours).
    // The default name is worked out only when nothing else names the agent: it takes a hash.
    const fallback = () => defaultAgent(client, dir);
    const mine = ancestors();
    const resolveAgent = (): string | null =>
      stringFlag(flags, 'as') ??
      (env.HUDDLE_AGENT ||
        findSessionLink(home, url, room, mine)?.agent ||
        (linkedElsewhere(home, url, room, fallback(), mine) ? null : fallback()));
    // At session start this session's bridge may not have written its link yet.
    const patience = event === 'wait' ? 20_000 : event === 'session-start' ? 5_000 : 0;
    const agent = await settle(resolveAgent, patience);
    if (agent === null) {
      throw new Error(
        `another session's huddle mcp speaks for "${fallback()}", and this session's has not registered its agent (start it, or pass --as NAME)`,
      );
    }
    const hub = createHubClient({
      url: ctx.config.url,
      token: credential.token,
      timeoutMs: HOOK_HTTP_TIMEOUT_MS,
    });
    const hookCtx: HookContext = {
      hub,
      room,
      agent,
      client,
      input,
      projectDir: root,
      stateDir: join(home, 'run'),
      hubUrl: url,
    };
    if (event === 'permission-request') {
      // It waits for a person: the client's timeout bounds it, and a client that stops it (the
      // person answered in the terminal) makes it withdraw its request first.
      if (stringFlag(flags, 'timeout') !== undefined) hookCtx.timeoutSeconds = timeout;
      const stop = new AbortController();
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
        process.once(signal, () => stop.abort());
      hookCtx.signal = stop.signal;
    }
    const result = handler
      ? await handler(hookCtx)
      : await (async () => {
          const { runWaiter } = await import('../../hooks/waiter.js');
          return runWaiter(hookCtx, {
            lockDir: join(ctx.config.home, 'run'),
            // It ends before the client's timeout would kill it unseen.
            lifetimeMs: (timeout > 120 ? timeout - 60 : timeout * 0.5) * 1000,
            clientAlive: () => processAlive(clientPid),
            warn,
            resolveAgent: () => resolveAgent() ?? agent,
          });
        })();
    const code = emit(result);
    // A stopped hook does not wait for the long-poll it abandoned.
    if (hookCtx.signal?.aborted) process.exit(code);
    return code;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'hub_unreachable')
      warn(`the hub at ${ctx.config.url} is not reachable; skipped.`);
    else if (err instanceof HookInputError) warn(`${e.message}; skipped.`);
    else warn(`${(e.message ?? String(err)).replace(/\.$/, '')}; skipped.`);
    return emit(NOTHING);
  }

  /** Writes the hook's answer. Gemini CLI reads stdout as JSON (and stderr when it is empty). */
  function emit(result: HookResult): number {
    const stdout = result.stdout ?? (client === 'gemini' ? '{}\n' : '');
    if (stdout) ctx.io.stdout(stdout);
    if (result.stderr) ctx.io.stderr(result.stderr);
    return result.code;
  }
};

/**
 * This machine's token for the room. The waiter, which may start before `huddle mcp` started the
 * local hub, keeps asking for a minute; a quick hook asks once.
 */
async function credentialFor(ctx: CliContext, room: string, patient: boolean) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await credentialForRoom(ctx, room);
    } catch (err) {
      // Before the local hub's first start there is no local secret either.
      const notYet =
        (err as { code?: string }).code === 'hub_unreachable' ||
        (usesLocalHub(ctx) && !existsSync(join(ctx.config.home, 'local.secret')));
      if (!patient || !notYet || attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** `resolve()` once it gives a name, asking again every 200 ms for up to `ms`; else null. */
async function settle<T>(resolve: () => T | null, ms: number): Promise<T | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = resolve();
    if (value !== null || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}
