// Approval requests: an agent's coding client asks a person for permission to run a tool, and a
// person's member with the `approve` scope answers allow or deny, exactly once, before it expires.
// No message and no device can answer: deciding has its own route and checks the member's kind.

import type { RoomCall } from '../call.js';
import type { Call } from '../call.js';
import type { ApprovalRequest } from '../api-types.js';
import {
  APPROVAL_PREVIEW_MAX_CHARS,
  APPROVAL_REASON_MAX_CHARS as REASON_MAX_CHARS,
  previewText,
} from './approval-preview.js';
import { HuddleError, isHuddleError } from '../errors.js';
import type { HubContext, Principal } from '../hub-context.js';
import { assertPageLimit, assertWait } from '../limits.js';
import { randomId } from '../random.js';
import { assertScope } from '../members/scopes.js';
import {
  AGENT_CLIENTS,
  type AgentClient,
  type Approval,
  type ApprovalDecider,
  type EventDraft,
  type Room,
  type RoomEvent,
} from '../types.js';

export { APPROVAL_PREVIEW_MAX_CHARS } from './approval-preview.js';

/** How long a request waits for a person by default, and the range a hub may set. */
export const APPROVAL_TIMEOUT_SECONDS = { default: 300, min: 10, max: 3600 } as const;
const TOOL_MAX_CHARS = 200;
/** The longest `match_key`: Claude Code's input preview is 201 characters at most. */
export const MATCH_KEY_MAX_CHARS = 300;

export interface ApprovalDecisionInput {
  decision: string;
  reason?: string | undefined;
}

const invalid = (code: string, message: string, details: Record<string, unknown>) =>
  new HuddleError('invalid', code, message, { details });

function assertReason(field: string, reason: string | undefined): void {
  if (reason !== undefined && reason.length > REASON_MAX_CHARS) {
    throw invalid('invalid_reason', `${field} must have at most ${REASON_MAX_CHARS} characters.`, {
      field,
      max_chars: REASON_MAX_CHARS,
    });
  }
}

export function createApprovals(ctx: HubContext) {
  const { store, clock, random, options, draft, announce, actorOf, enter, longPoll, enterAs } = ctx;
  const maxTimeout = () => options.approvals?.timeout_seconds ?? APPROVAL_TIMEOUT_SECONDS.default;

  const decided = (
    actor: ReturnType<typeof actorOf> | null,
    approval: Approval,
    decision: 'allow' | 'deny' | 'expired' | 'cancelled',
  ): EventDraft =>
    draft(actor, 'approval.decided', { approval, decision, decided_by: approval.decided_by });

  /** Ends the room's requests whose time ran out, each with its `approval.decided` event. */
  async function expireDue(roomId: string): Promise<void> {
    const expired = await store.expireApprovals(
      clock.now(),
      (a) => decided(null, a, 'expired'),
      roomId,
    );
    for (const { room_id, event } of expired) announce(event, room_id);
  }

  const due = (a: Approval) => a.status === 'pending' && Date.parse(a.expires_at) <= clock.now();

  /** The request, expired first when its time ran out while nobody looked. */
  async function current(room: Room, id: string): Promise<Approval> {
    let approval = await store.getApproval(room.id, id);
    if (approval && due(approval)) {
      await expireDue(room.id);
      approval = await store.getApproval(room.id, id);
    }
    if (!approval) {
      throw new HuddleError(
        'not_found',
        'approval_not_found',
        `No approval request "${id}" in room "${room.name}". List them with GET /v1/rooms/${room.name}/approvals?status=all.`,
        { details: { approval_id: id } },
      );
    }
    return approval;
  }

  /** The person's own agent in the room (client `human`), named in the decision; null if none. */
  async function personAgent(p: Principal, room: Room): Promise<string | null> {
    const agents = await store.listAgents(room.id);
    const mine = agents.filter((a) => a.member_id === p.member.id && a.status !== 'retired');
    return (mine.find((a) => a.client === 'human') ?? mine[0])?.name ?? null;
  }

  /** A settlement, with the late one turned into the expiry it is (and its event written). */
  async function settle<R extends { event: RoomEvent | null }>(
    room: Room,
    run: () => Promise<R>,
  ): Promise<R> {
    try {
      const result = await run();
      if (result.event) announce(result.event, room.id);
      return result;
    } catch (err) {
      if (isHuddleError(err) && err.code === 'approval_expired') await expireDue(room.id);
      throw err;
    }
  }

  return {
    /**
     * Asks a person to allow or deny a tool call of `agentName` (one of the caller's agents).
     * Counts as a room operation, like a message.
     */
    async requestApproval(
      call: Call,
      input: ApprovalRequest,
    ): Promise<{ approval: Approval; joined?: true }> {
      const { principal: p } = call;
      const { room, agent } = await enterAs(call, 'write');
      const tool = input.tool;
      if (
        tool.trim() === '' ||
        tool.length > TOOL_MAX_CHARS ||
        /[\u0000-\u001f\u007f]/.test(tool)
      ) {
        throw invalid(
          'invalid_tool',
          `tool must have 1 to ${TOOL_MAX_CHARS} printable characters (the tool's name, like "Bash").`,
          { field: 'tool', max_chars: TOOL_MAX_CHARS },
        );
      }
      assertReason('reason', input.reason);
      let client: AgentClient = agent.client;
      if (input.client !== undefined) {
        if (!(AGENT_CLIENTS as readonly string[]).includes(input.client)) {
          throw invalid('invalid_client', `client must be one of ${AGENT_CLIENTS.join(', ')}.`, {
            field: 'client',
            allowed: [...AGENT_CLIENTS],
          });
        }
        client = input.client as AgentClient;
      }
      const max = maxTimeout();
      const timeout = input.timeout_seconds ?? max;
      if (!Number.isInteger(timeout) || timeout < APPROVAL_TIMEOUT_SECONDS.min || timeout > max) {
        throw invalid(
          'invalid_timeout',
          `timeout_seconds must be an integer from ${APPROVAL_TIMEOUT_SECONDS.min} to ${max} (this hub's approval timeout); leave it out for ${max}.`,
          { field: 'timeout_seconds', min: APPROVAL_TIMEOUT_SECONDS.min, max },
        );
      }
      const matchKey = input.match_key;
      if (matchKey !== undefined && (matchKey === '' || matchKey.length > MATCH_KEY_MAX_CHARS)) {
        throw invalid(
          'invalid_match_key',
          `match_key must have 1 to ${MATCH_KEY_MAX_CHARS} characters (the client's own preview of the prompt); leave it out to never share a request.`,
          { field: 'match_key', max_chars: MATCH_KEY_MAX_CHARS },
        );
      }
      const at = clock.now();
      const created = await store.createApproval(
        room.id,
        {
          id: randomId(random, 'apr'),
          agent: agent.name,
          client,
          tool,
          input_preview: previewText(input.input_preview ?? '', APPROVAL_PREVIEW_MAX_CHARS),
          reason: input.reason ?? null,
          requested_at: at,
          expires_at: at + timeout * 1000,
          match_key: matchKey ?? null,
        },
        (a) => ({ ...draft(actorOf(p), 'approval.requested', { approval: a }), ts: at }),
      );
      // Joined: the person already has this prompt before them; no second card, no event.
      if (created.joined) return { approval: created.approval, joined: true };
      announce(created.event, room.id);
      return { approval: created.approval };
    },

    /** The room's requests, newest first: pending ones (the default) or all. */
    async listApprovals(
      call: RoomCall,
      input: { status?: string | undefined; limit?: number | undefined } = {},
    ): Promise<{ approvals: Approval[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const status = input.status ?? 'pending';
      if (status !== 'pending' && status !== 'all') {
        throw invalid('invalid_status', 'status must be "pending" or "all".', {
          field: 'status',
          allowed: ['pending', 'all'],
        });
      }
      const limit = input.limit ?? 50;
      assertPageLimit(limit);
      const filter = { pending_only: status === 'pending', limit };
      let approvals = await store.listApprovals(room.id, filter);
      if (approvals.some(due)) {
        await expireDue(room.id);
        approvals = await store.listApprovals(room.id, filter);
      }
      return { approvals };
    },

    /**
     * One request. With `wait`, holds the answer until the request is no longer pending (decided,
     * cancelled, or expired at its time) or `wait` seconds pass.
     */
    async getApproval(
      call: RoomCall,
      { id, ...input }: { id: string; wait?: number | undefined },
      signal?: AbortSignal,
    ): Promise<{ approval: Approval }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      const wait = input.wait ?? 0;
      assertWait(wait);
      const approval = await current(room, id);
      if (approval.status !== 'pending' || wait === 0) return { approval };
      // Woken by the room's events, and at the latest when the request expires.
      const untilExpiry = Math.max(0, Date.parse(approval.expires_at) - clock.now()) / 1000;
      await longPoll(
        p,
        room.id,
        Math.min(wait, untilExpiry + 0.05),
        async () => {
          const a = await store.getApproval(room.id, id);
          return a && a.status !== 'pending' ? [a] : [];
        },
        signal,
      );
      return { approval: await current(room, id) };
    },

    /**
     * A person's answer: allow or deny. Only a member of kind `person` with the `approve` scope
     * (or admin) may give it; it counts as a write.
     */
    async decideApproval(
      call: RoomCall,
      { id, ...input }: ApprovalDecisionInput & { id: string },
    ): Promise<{ approval: Approval }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, null, true);
      if (p.member.kind !== 'person') {
        throw new HuddleError(
          'forbidden',
          'person_required',
          `Only a person answers an approval request: this token is a device's ("${p.member.label}"), whatever its scopes. Answer from the cockpit, signed in as a person.`,
          { details: { member_kind: p.member.kind } },
        );
      }
      assertScope(p.member.scopes, 'approve');
      if (input.decision !== 'allow' && input.decision !== 'deny') {
        throw invalid('invalid_decision', 'decision must be "allow" or "deny".', {
          field: 'decision',
          allowed: ['allow', 'deny'],
        });
      }
      const decision = input.decision;
      assertReason('reason', input.reason);
      const decider: ApprovalDecider = {
        member_id: p.member.id,
        label: p.member.label,
        agent: await personAgent(p, room),
      };
      const { approval } = await settle(room, () =>
        store.settleApproval(
          room.id,
          id,
          {
            status: decision === 'allow' ? 'allowed' : 'denied',
            at: clock.now(),
            decided_by: decider,
            decision_reason: input.reason ?? null,
          },
          (a) => decided(actorOf(p), a, decision),
        ),
      );
      return { approval };
    },

    /**
     * The requesting agent's member withdraws a pending request (its client asked elsewhere, or
     * stopped waiting). A request that others joined stays pending while one of them still waits:
     * the cancel takes one waiter away and returns it still pending.
     */
    async cancelApproval(
      call: RoomCall,
      { id, ...input }: { id: string; reason?: string | undefined },
    ): Promise<{ approval: Approval }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'write');
      assertReason('reason', input.reason);
      const approval = await current(room, id);
      const agent = await store.getAgent(room.id, approval.agent);
      if (agent?.member_id !== p.member.id) {
        throw new HuddleError(
          'forbidden',
          'not_your_approval',
          `The approval request ${id} was made by agent "${approval.agent}" of another member; only its own member cancels it.`,
          { details: { approval_id: id, agent: approval.agent } },
        );
      }
      const left = await settle(room, () =>
        store.withdrawApproval(
          room.id,
          id,
          {
            status: 'cancelled',
            at: clock.now(),
            decided_by: null,
            decision_reason: input.reason ?? null,
          },
          (a) => decided(actorOf(p), a, 'cancelled'),
        ),
      );
      // With another waiter (the same prompt's other path) the request stays pending for it.
      return { approval: left.approval };
    },

    /** Expires every pending request whose time ran out, in every room; returns how many. */
    async sweepApprovals(): Promise<number> {
      const expired = await store.expireApprovals(clock.now(), (a) => decided(null, a, 'expired'));
      for (const { room_id, event } of expired) announce(event, room_id);
      return expired.length;
    },
  };
}
