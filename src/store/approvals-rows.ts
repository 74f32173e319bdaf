// Approval requests as both stores read them: the row, the columns that make it, the Approval.

import { iso } from '../core/clock.js';
import type { NewApproval, Store } from '../core/store.js';
import type { AgentClient, Approval, ApprovalStatus } from '../core/types.js';

/** The approval methods of a Store, as each store's approvals slice provides them. */
export type ApprovalMethods = Pick<
  Store,
  | 'createApproval'
  | 'getApproval'
  | 'listApprovals'
  | 'settleApproval'
  | 'withdrawApproval'
  | 'expireApprovals'
>;

export interface ApprovalRow {
  room_id: string;
  room: string;
  id: string;
  agent: string;
  client: string;
  tool: string;
  input_preview: string;
  reason: string | null;
  status: string;
  requested_at: number;
  expires_at: number;
  decided_at: number | null;
  decided_member: string | null;
  decided_label: string | null;
  decided_agent: string | null;
  decision_reason: string | null;
  waiters: number;
}

/** The columns of an ApprovalRow, from `approvals a JOIN rooms r ON r.id = a.room_id`. */
export const APPROVAL_COLUMNS = `a.room_id, r.name AS room, a.id, a.agent, a.client, a.tool,
  a.input_preview, a.reason, a.status, a.requested_at, a.expires_at, a.decided_at, a.decided_member,
  a.decided_label, a.decided_agent, a.decision_reason, a.waiters`;

export const toApproval = (a: ApprovalRow): Approval => ({
  id: a.id,
  room: a.room,
  agent: a.agent,
  client: a.client as AgentClient,
  tool: a.tool,
  input_preview: a.input_preview,
  reason: a.reason,
  status: a.status as ApprovalStatus,
  requested_at: iso(a.requested_at),
  expires_at: iso(a.expires_at),
  decided_at: a.decided_at === null ? null : iso(a.decided_at),
  decided_by:
    a.decided_member === null
      ? null
      : { member_id: a.decided_member, label: a.decided_label ?? '', agent: a.decided_agent },
  decision_reason: a.decision_reason,
  waiters: a.waiters,
});

/**
 * A new request's columns in the order both stores insert them: room_id, id, agent, client,
 * tool, input_preview, reason, requested_at, expires_at, match_key (status is always pending).
 */
export const approvalValues = (roomId: string, a: NewApproval) => [
  roomId,
  a.id,
  a.agent,
  a.client,
  a.tool,
  a.input_preview,
  a.reason,
  a.requested_at,
  a.expires_at,
  a.match_key,
];
