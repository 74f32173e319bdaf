// The errors a Store raises, built in one place so that every store says the same thing.

import { HuddleError } from './errors.js';
import type { Approval, Checkpoint, Variable } from './types.js';

export const storeErrors = {
  roomExists: (name: string) =>
    new HuddleError(
      'conflict',
      'room_exists',
      `A room named "${name}" already exists. Choose another name, or join it with a pair code.`,
      {
        details: { room: name },
      },
    ),
  checkpointConflict: (expected: number, current: Checkpoint) =>
    new HuddleError(
      'conflict',
      'checkpoint_conflict',
      `The checkpoint is at version ${current.version} (written by ${current.updated_by?.label ?? 'nobody'} at ${current.updated_at ?? 'never'}), not ${expected}. Read it, merge your changes, and write again with expected_version ${current.version}.`,
      {
        details: {
          expected_version: expected,
          current_version: current.version,
          updated_by: current.updated_by,
          updated_at: current.updated_at,
        },
      },
    ),
  codeNotFound: () =>
    new HuddleError(
      'not_found',
      'code_not_found',
      'No such pair code on this hub. Check it, or ask a room admin for a new one ("huddle pair <room>").',
    ),
  codeExpired: (expiredAt: string) =>
    new HuddleError(
      'gone',
      'code_expired',
      `This pair code expired at ${expiredAt}. Ask a room admin for a new one ("huddle pair <room>").`,
      {
        details: { expired_at: expiredAt },
      },
    ),
  codeUsed: () =>
    new HuddleError(
      'conflict',
      'code_used',
      'This pair code was already used; each code works once. Ask a room admin for a new one ("huddle pair <room>").',
    ),
  memberNotFound: (id: string) =>
    new HuddleError(
      'not_found',
      'member_not_found',
      `No member "${id}" in this room. List members with "huddle devices <room>".`,
      {
        details: { member_id: id },
      },
    ),
  memberRevoked: (id: string) =>
    new HuddleError('conflict', 'member_revoked', `Member "${id}" is already revoked.`, {
      details: { member_id: id },
    }),
  lastAdmin: (id: string) =>
    new HuddleError(
      'conflict',
      'last_admin',
      `Member "${id}" is the room's last admin; revoking it would leave nobody able to manage the room. Pair another device with the admin scope first, or delete the room.`,
      { details: { member_id: id } },
    ),
  roomNotFound: (roomId: string) =>
    new HuddleError('not_found', 'room_not_found', 'The room no longer exists; it was deleted.', {
      details: { room_id: roomId },
    }),
  storeClosed: () =>
    new HuddleError('unavailable', 'store_closed', 'The hub is shutting down; retry in a moment.'),
  agentNameTaken: (name: string) =>
    new HuddleError(
      'conflict',
      'agent_name_taken',
      `The agent name "${name}" belongs to another member of this room. Choose another name (--as).`,
      { details: { agent: name } },
    ),
  agentInUse: (name: string) =>
    new HuddleError(
      'conflict',
      'agent_in_use',
      `The agent "${name}" is in use by a live session; choose another name.`,
      {
        details: { agent: name },
      },
    ),
  agentNotFound: (name: string) =>
    new HuddleError(
      'not_found',
      'agent_not_found',
      `No agent "${name}" in this room. Register it first ("huddle agent <room> ${name}").`,
      {
        details: { agent: name },
      },
    ),
  agentRetired: (name: string) =>
    new HuddleError(
      'conflict',
      'agent_retired',
      `The agent "${name}" is retired; register it again to bring it back.`,
      {
        details: { agent: name },
      },
    ),
  duplicateMessage: (windowSeconds: number) =>
    new HuddleError(
      'conflict',
      'duplicate_message',
      `The same message went to the same recipients less than ${windowSeconds} s ago. If you mean to send it again, send it with a new Idempotency-Key.`,
      { details: { window_seconds: windowSeconds } },
    ),
  tokenNotFound: () =>
    new HuddleError(
      'unauthenticated',
      'unknown_token',
      'The token is not valid any more: it was rotated or revoked.',
    ),
  idempotencyKeyReused: (key: string) =>
    new HuddleError(
      'conflict',
      'idempotency_key_reused',
      `The idempotency key "${key}" was already used for a different request. Use a new key for a new request.`,
      { details: { idempotency_key: key } },
    ),
  taskIdTaken: (id: string) =>
    new HuddleError('conflict', 'task_id_taken', `The task id "${id}" is taken; draw another.`, {
      details: { id },
      retryable: true,
    }),
  leaseIdTaken: (id: string) =>
    new HuddleError('conflict', 'lease_id_taken', `The lease id "${id}" is taken; draw another.`, {
      details: { id },
      retryable: true,
    }),
  variableConflict: (key: string, expected: number, current: Variable | null) =>
    new HuddleError(
      'conflict',
      'variable_conflict',
      current
        ? `The variable "${key}" is at version ${current.version} (set by ${current.set_by} at ${current.updated_at}), not ${expected}. Read it, then set it again with expected_version ${current.version}.`
        : `The variable "${key}" does not exist, so it is not at version ${expected}. Set it with expected_version 0 to create it.`,
      { details: { key, expected_version: expected, current } },
    ),
  variableNotFound: (key: string) =>
    new HuddleError('not_found', 'variable_not_found', `No variable "${key}" in this room.`, {
      details: { key },
    }),
  tooManyVariables: (limit: number) =>
    new HuddleError(
      'conflict',
      'too_many_variables',
      `This room already has ${limit} variables, the limit. Delete some before adding new keys.`,
      { details: { limit } },
    ),
  approvalNotFound: (id: string) =>
    new HuddleError(
      'not_found',
      'approval_not_found',
      `No approval request "${id}" in this room. List them with GET /v1/rooms/<room>/approvals?status=all.`,
      { details: { approval_id: id } },
    ),
  approvalAlreadyDecided: (a: Approval) => {
    const who = a.decided_by
      ? `${a.decided_by.label}${a.decided_by.agent ? ` (${a.decided_by.agent})` : ''}`
      : 'nobody';
    const what =
      a.status === 'cancelled'
        ? `was cancelled by its agent "${a.agent}"`
        : `was already ${a.status} by ${who}`;
    return new HuddleError(
      'conflict',
      'approval_already_decided',
      `The approval request ${a.id} ${what} at ${a.decided_at}; it is answered only once.`,
      {
        details: {
          approval_id: a.id,
          status: a.status,
          decided_by: a.decided_by,
          decided_at: a.decided_at,
        },
      },
    );
  },
  approvalExpired: (a: Approval) =>
    new HuddleError(
      'conflict',
      'approval_expired',
      `The approval request ${a.id} expired at ${a.expires_at} without an answer; the agent's client asked in its own prompt instead.`,
      { details: { approval_id: a.id, status: 'expired', expires_at: a.expires_at } },
    ),
  tooManyPushSubscriptions: (limit: number) =>
    new HuddleError(
      'conflict',
      'too_many_push_subscriptions',
      `This member already has ${limit} push subscriptions in the room, the limit. Unsubscribe a browser you no longer use (DELETE .../push) before adding another.`,
      { details: { limit } },
    ),
};
