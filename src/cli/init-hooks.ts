// The hooks `huddle init` installs for Claude Code, Codex CLI and Gemini CLI, and how they are
// merged into the client's settings: huddle's own entries are replaced, everything else is kept.

import { join } from 'node:path';
import { APPROVAL_HOOK_TIMEOUT_SECONDS, WAITER_TIMEOUT_SECONDS } from '../hooks/hooks.js';
import { CliError } from './cli-error.js';
import { parseJson, type InitClient } from './init-targets.js';

interface HookSpec {
  event: string;
  matcher?: string;
  /** The `huddle hook` event. */
  hook: string;
  /** Seconds (Gemini CLI's settings take milliseconds; converted when written). */
  timeout: number;
  /** Claude Code: runs in the background and wakes the session when it exits with code 2. */
  asyncRewake?: boolean;
}

const QUICK = 10;

const SPECS: Partial<Record<InitClient, HookSpec[]>> = {
  claude: [
    { event: 'SessionStart', hook: 'session-start', timeout: QUICK },
    { event: 'SessionStart', hook: 'wait', timeout: WAITER_TIMEOUT_SECONDS, asyncRewake: true },
    { event: 'Stop', hook: 'wait', timeout: WAITER_TIMEOUT_SECONDS, asyncRewake: true },
    { event: 'PreToolUse', matcher: '*', hook: 'pre-tool-use', timeout: QUICK },
    { event: 'UserPromptSubmit', hook: 'user-prompt-submit', timeout: QUICK },
    { event: 'Stop', hook: 'stop', timeout: QUICK },
    { event: 'Notification', hook: 'notification', timeout: QUICK },
    {
      event: 'PermissionRequest',
      matcher: '*',
      hook: 'permission-request',
      timeout: APPROVAL_HOOK_TIMEOUT_SECONDS,
    },
  ],
  codex: [
    { event: 'SessionStart', hook: 'session-start', timeout: QUICK },
    { event: 'UserPromptSubmit', hook: 'user-prompt-submit', timeout: QUICK },
    { event: 'Stop', hook: 'stop', timeout: QUICK },
    {
      event: 'PermissionRequest',
      hook: 'permission-request',
      timeout: APPROVAL_HOOK_TIMEOUT_SECONDS,
    },
  ],
  gemini: [
    { event: 'SessionStart', hook: 'session-start', timeout: QUICK },
    { event: 'BeforeAgent', hook: 'before-agent', timeout: QUICK },
    { event: 'AfterTool', matcher: '*', hook: 'after-tool', timeout: QUICK },
    { event: 'Notification', hook: 'notification', timeout: QUICK },
    { event: 'AfterAgent', hook: 'after-agent', timeout: QUICK },
  ],
};

const CLIENT_FLAG: Partial<Record<InitClient, string>> = { codex: 'codex', gemini: 'gemini' };

/** Whether `huddle init <client>` installs hooks. */
export const hasHooks = (client: InitClient) => SPECS[client] !== undefined;

/** Where the client reads hooks: Claude Code's and Gemini CLI's settings, Codex's hooks.json. */
export function hooksPath(
  client: InitClient,
  scope: 'project' | 'user',
  project: string,
  home: string,
): string {
  const base = scope === 'user' ? home : project;
  if (client === 'claude') return join(base, '.claude', 'settings.json');
  if (client === 'codex') return join(base, '.codex', 'hooks.json');
  return join(base, '.gemini', 'settings.json');
}

const shellWord = (s: string) =>
  /^[A-Za-z0-9._:/=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

function command(client: InitClient, spec: HookSpec, args: string[]): string {
  const words = ['huddle', 'hook', spec.hook];
  if (CLIENT_FLAG[client]) words.push('--client', CLIENT_FLAG[client]);
  return [...words, ...args].map(shellWord).join(' ');
}

const isHuddleHook = (h: unknown) =>
  typeof h === 'object' &&
  h !== null &&
  typeof (h as { command?: unknown }).command === 'string' &&
  /^huddle hook /.test((h as { command: string }).command);

interface HookGroup {
  matcher?: string;
  hooks: unknown[];
}

/**
 * huddle's hook groups by event, as the client's settings take them. `args` (--room, --hub) are
 * passed to every hook so that it acts in the same room as the client's `huddle mcp`.
 */
function huddleHooks(client: InitClient, args: string[]): Array<[string, HookGroup]> {
  const specs = SPECS[client];
  if (!specs) throw new Error(`no hooks for ${client}`);
  return specs.map((spec) => {
    const entry: Record<string, unknown> = {
      type: 'command',
      command: command(client, spec, args),
      timeout: client === 'gemini' ? spec.timeout * 1000 : spec.timeout,
    };
    if (client === 'gemini') entry.name = `huddle-${spec.hook}`;
    if (spec.asyncRewake) entry.asyncRewake = true;
    return [
      spec.event,
      { ...(spec.matcher !== undefined && { matcher: spec.matcher }), hooks: [entry] },
    ];
  });
}

/** huddle's hooks alone, as mergeHooks writes them, without anything else of the settings. */
export function hooksPart(client: InitClient, args: string[]): string {
  const hooks: Record<string, HookGroup[]> = {};
  for (const [event, group] of huddleHooks(client, args)) (hooks[event] ??= []).push(group);
  return JSON.stringify({ hooks }, null, 2) + '\n';
}

/** The settings text with huddle's hooks set (see huddleHooks), everything else kept. */
export function mergeHooks(
  client: InitClient,
  old: string | undefined,
  path: string,
  args: string[],
): string {
  const mine = huddleHooks(client, args);
  const data = parseJson(old, path);
  const hooks = (data.hooks ?? {}) as Record<string, unknown>;
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks))
    throw new CliError(`"hooks" in ${path} is not an object; fix it, then run init again.`);
  // Remove huddle's earlier entries, keeping every other hook as it was.
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    const kept = groups
      .map((g: { hooks?: unknown[] }) =>
        Array.isArray(g?.hooks) ? { ...g, hooks: g.hooks.filter((h) => !isHuddleHook(h)) } : g,
      )
      .filter((g: { hooks?: unknown[] }) => !Array.isArray(g?.hooks) || g.hooks.length > 0);
    if (kept.length > 0) hooks[event] = kept;
    else delete hooks[event];
  }
  for (const [event, group] of mine) {
    hooks[event] = [...((hooks[event] ?? []) as HookGroup[]), group];
  }
  data.hooks = hooks;
  return JSON.stringify(data, null, 2) + '\n';
}
