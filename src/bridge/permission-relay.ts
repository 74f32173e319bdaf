// Claude Code's channel permission relay: when a channel server declares `claude/channel/permission`,
// Claude Code sends it each permission prompt it shows (`permission_request`) and takes the first
// answer (`permission`) from the terminal, a hook or a channel. The bridge asks a person through
// the hub's approvals and answers with their decision. With no decision in time, an error or the
// hub unreachable it answers nothing, so the terminal prompt decides: never an automatic allow.

import { z } from 'zod';
import { awaitApproval } from '../client/await-approval.js';
import type { HubClient } from '../client/hub-client.js';
import {
  APPROVAL_REASON_MAX_CHARS,
  previewText,
  wholeInputKey,
} from '../core/approvals/approval-preview.js';
import { MATCH_KEY_MAX_CHARS } from '../core/approvals/approvals.js';

/** The experimental capability a channel server declares to be sent permission prompts. */
export const PERMISSION_CAPABILITY = 'claude/channel/permission';
/** Claude Code to the server: a prompt it is showing. */
export const PERMISSION_REQUEST_METHOD = 'notifications/claude/channel/permission_request';
/** The server to Claude Code: the answer to one prompt. */
export const PERMISSION_METHOD = 'notifications/claude/channel/permission';

/** The notification as the MCP SDK dispatches it; `parsePermissionRequest` checks its params. */
export const PermissionRequestNotification = z.object({
  method: z.literal(PERMISSION_REQUEST_METHOD),
  params: z.unknown(),
});

/** Claude Code makes a request id of five letters of a-z without `l` (it matches any case). */
const REQUEST_ID = /^[a-km-z]{5}$/i;
/** Claude Code's preview of a tool input it could not serialize: it names no prompt. */
const UNSERIALIZABLE = '(unserializable)';
/** How long closing waits for the requests still pending to be withdrawn. */
const CANCEL_TIMEOUT_MS = 2000;

/** The params of `PERMISSION_REQUEST_METHOD`, as Claude Code 2.1.197 sends them. */
export interface PermissionRequest {
  request_id: string;
  tool_name: string;
  /** What the tool is about to do, in words (Bash's `description`, or Claude Code's own). */
  description: string;
  /** The tool input as JSON, cut by Claude Code to 200 characters and "…". */
  input_preview: string;
}

/** The params of `PERMISSION_METHOD`. */
export interface PermissionAnswer {
  request_id: string;
  behavior: 'allow' | 'deny';
}

/** The request, or what is wrong with it. */
export function parsePermissionRequest(params: unknown): PermissionRequest | { error: string } {
  if (typeof params !== 'object' || params === null) return { error: 'params is not an object' };
  const p = params as Record<string, unknown>;
  if (typeof p.request_id !== 'string' || !REQUEST_ID.test(p.request_id))
    return { error: 'request_id is not five letters' };
  if (typeof p.tool_name !== 'string' || p.tool_name === '')
    return { error: 'tool_name is not a non-empty string' };
  for (const field of ['description', 'input_preview'] as const)
    if (typeof p[field] !== 'string') return { error: `${field} is not a string` };
  return {
    request_id: p.request_id,
    tool_name: p.tool_name,
    description: p.description as string,
    input_preview: p.input_preview as string,
  };
}

/** Where the relay asks: the hub as the bridge's member, and its agent. */
export interface RelayTarget {
  hub: Pick<HubClient, 'requestApproval' | 'approval' | 'cancelApproval'>;
  room: string;
  agent: string;
}

export interface PermissionRelayOptions {
  /** The target, once the agent is registered (a permission prompt is a sign of a session). */
  target: () => Promise<RelayTarget>;
  /** Sends the answer to the client. */
  answer: (answer: PermissionAnswer) => Promise<void>;
  /** A line for the bridge's debug log: ignored requests, prompts that went unanswered. */
  debug: (line: string) => void;
  /** A line that is always shown: the hub refused or could not be reached. */
  warn: (line: string) => void;
}

export interface PermissionRelay {
  /** Takes the params of one `permission_request`; a malformed one is ignored with a debug line. */
  request(params: unknown): void;
  /**
   * The session ended: stops every wait, withdraws the requests still pending and answers
   * nothing more. Resolves once that is done, or after about 2 s.
   */
  close(): Promise<void>;
}

export function createPermissionRelay(options: PermissionRelayOptions): PermissionRelay {
  const { debug, warn } = options;
  const stop = new AbortController();
  /** Requests in flight by lowercased id: Claude Code matches answers case-insensitively. */
  const inFlight = new Map<string, Promise<void>>();

  async function relay(req: PermissionRequest): Promise<void> {
    const target = await options.target();
    if (stop.signal.aborted) return;
    const reason = previewText(req.description, APPROVAL_REASON_MAX_CHARS);
    const { approval } = await target.hub.requestApproval(target.room, target.agent, {
      tool: req.tool_name,
      input_preview: req.input_preview,
      client: 'claude-code',
      ...(reason.trim() !== '' && { reason }),
      // The PermissionRequest hook names the same key for the same prompt: one request for both.
      // Only a whole input: a cut one could be another prompt's alike in its first 200 characters.
      ...(req.input_preview !== UNSERIALIZABLE &&
        wholeInputKey(req.input_preview) !== undefined &&
        req.input_preview.length <= MATCH_KEY_MAX_CHARS && { match_key: req.input_preview }),
    });
    const decided = stop.signal.aborted
      ? undefined
      : await awaitApproval(target.hub, approval, { signal: stop.signal });
    if (stop.signal.aborted) {
      // The session closed while a person could still answer: nobody should, in vain.
      await target.hub
        .cancelApproval(target.room, approval.id, 'the session ended')
        .catch(() => {});
      return;
    }
    if (decided?.status !== 'allowed' && decided?.status !== 'denied') {
      debug(
        `permission ${req.request_id} for ${JSON.stringify(req.tool_name)}: approval ${approval.id} ${decided?.status ?? 'unanswered'}; the terminal prompt decides`,
      );
      return;
    }
    const behavior = decided.status === 'allowed' ? 'allow' : 'deny';
    await options.answer({ request_id: req.request_id, behavior });
  }

  return {
    request(params) {
      const req = parsePermissionRequest(params);
      if ('error' in req) return debug(`ignored a permission_request: ${req.error}`);
      const key = req.request_id.toLowerCase();
      if (stop.signal.aborted) return debug(`ignored permission ${key}: the session ended`);
      if (inFlight.has(key)) return debug(`ignored permission ${key}: already waiting for it`);
      const done = relay(req)
        .catch((err: Error) =>
          warn(
            `permission ${key} for ${JSON.stringify(req.tool_name)} goes to the terminal: ${err.message}`,
          ),
        )
        .finally(() => inFlight.delete(key));
      inFlight.set(key, done);
    },
    async close() {
      stop.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(inFlight.values()),
        new Promise((r) => (timer = setTimeout(r, CANCEL_TIMEOUT_MS + 500))),
      ]);
      clearTimeout(timer);
    },
  };
}
