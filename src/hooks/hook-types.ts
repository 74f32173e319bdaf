// What every hook handler receives and returns: the client's JSON payload, the agent it speaks
// for, the hub calls it may make; and the exact stdout, stderr and exit code for the client.

import type { HubClient } from '../client/hub-client.js';

/** The clients whose hooks huddle answers. */
export const HOOK_CLIENTS = ['claude-code', 'codex', 'gemini'] as const;
export type HookClient = (typeof HOOK_CLIENTS)[number];

/** The JSON object a client writes on a hook's stdin; fields a client does not send are absent. */
export interface HookInput {
  session_id?: string;
  cwd?: string;
  hook_event_name?: string;
  /** SessionStart: startup, resume, clear or compact. */
  source?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  /** Stop: true while the client continues because a Stop hook blocked. */
  stop_hook_active?: boolean;
  prompt?: string;
  /** Notification (Claude Code, Gemini CLI): what the client tells its person. */
  notification_type?: string;
  message?: string;
}

/** The hub calls hooks make. */
export type HookHub = Pick<
  HubClient,
  | 'startSession'
  | 'inject'
  | 'leases'
  | 'heartbeat'
  | 'requestApproval'
  | 'approval'
  | 'cancelApproval'
>;

export interface HookContext {
  hub: HookHub;
  room: string;
  agent: string;
  client: HookClient;
  input: HookInput;
  /** The project's root directory: lease paths are relative to it. */
  projectDir: string;
  /** Where hooks keep small state between runs (HUDDLE_HOME/run); none: nothing is kept. */
  stateDir?: string | undefined;
  /** The hub's URL, to keep state of different hubs apart. */
  hubUrl?: string | undefined;
  /** The client's hook timeout in seconds, when the command line gave it (`--timeout`). */
  timeoutSeconds?: number | undefined;
  /** Aborted when the client stops the hook (SIGTERM, SIGINT, SIGHUP). */
  signal?: AbortSignal | undefined;
}

export interface HookResult {
  stdout?: string;
  stderr?: string;
  code: number;
}

export type HookHandler = (ctx: HookContext) => Promise<HookResult>;

export const NOTHING: HookResult = { code: 0 };
