// The PermissionRequest hook (Claude Code and Codex CLI): the client is about to ask the person in
// its own prompt; this asks a person through the hub instead, waits, and answers allow or deny.
// With no answer in time, the hub unreachable or any error it answers nothing, so the client's
// own prompt decides: never an automatic allow.

import { awaitApproval } from '../client/await-approval.js';
import type { Approval } from '../core/types.js';
import {
  APPROVAL_REASON_MAX_CHARS,
  claudeChannelPreview,
  previewToolInput,
  wholeInputKey,
} from '../core/approvals/approval-preview.js';
import { NOTHING, type HookContext, type HookResult } from './hook-types.js';

/** How long the hook tries to withdraw its request when it gives up or is stopped. */
const CANCEL_TIMEOUT_MS = 2000;

const now = () => Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The JSON both Claude Code and Codex CLI read from a PermissionRequest hook. */
export function permissionDecision(approval: Approval): HookResult {
  if (approval.status !== 'allowed' && approval.status !== 'denied') return NOTHING;
  const decision =
    approval.status === 'allowed'
      ? { behavior: 'allow' }
      : { behavior: 'deny', message: denyMessage(approval) };
  const output = { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } };
  return { stdout: JSON.stringify(output) + '\n', code: 0 };
}

/** What the model reads when a person said no. */
function denyMessage(a: Approval): string {
  const by = a.decided_by
    ? `${a.decided_by.agent ? `"${a.decided_by.agent}" (${a.decided_by.label})` : `"${a.decided_by.label}"`}`
    : 'a person';
  const reason = a.decision_reason ? `: ${a.decision_reason}` : '.';
  return `huddle: ${by} denied this ${a.tool} call (approval ${a.id})${reason}`;
}

/** A string field of the tool's input, if it has one (Bash's `description`). */
function described(input: Record<string, unknown> | undefined): string | undefined {
  const d = input?.description;
  return typeof d === 'string' && d.trim() !== ''
    ? d.slice(0, APPROVAL_REASON_MAX_CHARS)
    : undefined;
}

export interface PermissionHookOptions {
  /** The client's hook timeout, in seconds, when known: the hook ends before it. */
  hookTimeoutSeconds?: number | undefined;
  /** Aborted when the client stops the hook: the request is withdrawn. */
  signal?: AbortSignal | undefined;
}

export async function permissionRequestHook(
  ctx: HookContext,
  options: PermissionHookOptions = {},
): Promise<HookResult> {
  const tool = ctx.input.tool_name;
  if (!tool) return NOTHING;
  const started = now();
  // Claude Code may send the same prompt to the channel relay of `huddle mcp`: the key they share
  // makes the two one request, so the person sees one card and one answer reaches both.
  const toolInput = ctx.input.tool_input;
  const key =
    ctx.client === 'claude-code' && toolInput !== undefined
      ? wholeInputKey(claudeChannelPreview(toolInput))
      : undefined;
  const reason = described(toolInput);
  const { approval } = await ctx.hub.requestApproval(ctx.room, ctx.agent, {
    tool,
    input_preview: previewToolInput(toolInput),
    client: ctx.client,
    ...(key !== undefined && { match_key: key }),
    ...(reason !== undefined && { reason }),
  });
  // The hub expires the request at its time; the hook waits that long, and never past its own
  // timeout (less a margin to withdraw the request and exit).
  let deadline = Date.parse(approval.expires_at) + 1000;
  if (options.hookTimeoutSeconds !== undefined)
    deadline = Math.min(deadline, started + (options.hookTimeoutSeconds - 5) * 1000);
  const answer = await awaitApproval(ctx.hub, approval, { deadline, signal: options.signal });
  if (answer) return permissionDecision(answer);
  // Out of time, or stopped by the client: withdraw the request so nobody answers it in vain.
  await Promise.race([
    ctx.hub.cancelApproval(ctx.room, approval.id).catch(() => {}),
    sleep(CANCEL_TIMEOUT_MS),
  ]);
  return NOTHING;
}
