// The Store port: what the Hub needs from a database, with the guarantees each method keeps.
// Implementations live in src/store and all pass test/contract/store-contract.ts.

import type {
  Actor,
  Agent,
  AgentClient,
  Approval,
  ApprovalDecider,
  ApprovalStatus,
  AgentCapabilities,
  AgentStatus,
  Checkpoint,
  EventDraft,
  InboxItem,
  Lease,
  Member,
  MemberKind,
  Message,
  Receipt,
  ReceiptStep,
  Room,
  RoomEvent,
  Scope,
  Task,
  Variable,
} from './types.js';

/**
 * Ties a write to a member's idempotency key. A second write with the same member and key
 * returns the first one's stored result and changes nothing; with a different fingerprint
 * (another request under the same key) it fails with `idempotency_key_reused`.
 */
export interface Idempotency {
  member_id: string;
  key: string;
  /** A digest of the request, so a reused key with another request is caught. */
  fingerprint: string;
  /** When the write happens, in ms; records older than the retention window are pruned. */
  at: number;
}

/** A token as the store keeps it: its digest, never the token. */
export interface TokenRecord {
  digest: string;
  member_id: string;
  created_at: number;
}

/** A browser's sign-in: the secret of its cookie (as a digest) and its member in each room. */
export interface WebSessionRecord {
  digest: string;
  /** Digest of the value the page must send in `X-Huddle-CSRF` with the cookie. */
  csrf_digest: string;
  /** The person's agent name in every room. */
  person: string;
  /** Made by `huddle open` on the hub's own machine: it follows every room of the hub. */
  local_owner: boolean;
  created_at: number;
  /** When the browser last opened the cockpit (its session read or its stream signed in). */
  last_seen_at: number;
  rooms: WebSessionRoom[];
}

/** The browser's member in one room, and the agent through which the person speaks there. */
export interface WebSessionRoom {
  room_id: string;
  room_name: string;
  member_id: string;
  token_digest: string;
  /** The person's agent in that room, or null when the member may not register one. */
  agent: string | null;
  /**
   * How the browser got in: `code` and `local` made a member of its own (signing out revokes it);
   * `token` added a token to another member (signing out deletes only that token).
   */
  via: 'code' | 'local' | 'token';
}

/** What authentication finds for a token digest: the live member and its room. */
export interface Credential {
  token_digest: string;
  member: Member;
  room: Room;
}

export interface PairCodeRecord {
  digest: string;
  room_id: string;
  scopes: Scope[];
  created_by: string;
  created_at: number;
  expires_at: number;
}

export interface NewMember {
  id: string;
  label: string;
  /** `device` when left out. */
  kind?: MemberKind;
  scopes: Scope[];
  created_at: number;
}

/** A member's Web Push subscription (one browser's push endpoint and its encryption keys). */
export interface PushSubscriptionRecord {
  room_id: string;
  member_id: string;
  /** The push service URL; a capability, kept out of logs. */
  endpoint: string;
  /** The browser's P-256 public key, base64url without padding (65 bytes uncompressed). */
  p256dh: string;
  /** The browser's authentication secret, base64url without padding (16 bytes). */
  auth: string;
  created_at: number;
}

export interface NewAgent extends AgentCapabilities {
  name: string;
  member_id: string;
  at: number;
}

/** A message as the hub prepares it; the store gives it its seq. */
export type MessageDraft = Omit<Message, 'seq' | 'room'>;

export interface CheckpointWrite {
  text: string;
  /** When given, the write happens only if the current version equals it. */
  expected_version?: number;
  actor: Actor;
}

/**
 * What the task board looks like to a change: every task that is not done or cancelled, the
 * closed tasks those depend on, and the closed tasks the change asked for by id.
 */
export interface TaskBoard {
  tasks: Map<string, Task>;
}

/** The outcome of a task change: the tasks to write (whole records) and the one event. */
export interface TaskChange<T> {
  write: Task[];
  /** Ids of `write` that are new; a taken one fails the change with `task_id_taken`. */
  created: string[];
  /** Null when nothing changed (claiming a task one already holds): nothing is written. */
  event: EventDraft | null;
  result: T;
}

/** An approval request as the hub prepares it; times in ms. */
export interface NewApproval {
  id: string;
  agent: string;
  client: AgentClient;
  tool: string;
  input_preview: string;
  reason: string | null;
  requested_at: number;
  expires_at: number;
  /**
   * What makes two requests one (the client's prompt they both ask about), or null: a request
   * with a key joins a pending, unexpired request of the same agent, tool and key.
   */
  match_key: string | null;
}

/** How a pending approval request ends. */
export interface ApprovalSettlement {
  status: Exclude<ApprovalStatus, 'pending'>;
  at: number;
  decided_by: ApprovalDecider | null;
  decision_reason: string | null;
}

/** Which leases count as live: not released, not expired, and their agent not gone. */
export interface LeaseLiveness {
  now: number;
  /** Leases of an agent offline since before this time (or retired) have ended. */
  offline_before: number;
}

/** An event filter for the activity log. Every given condition must hold. */
export interface EventQuery {
  after: number;
  limit: number;
  /** Exact types (`task.claimed`) or prefixes ending in `.` (`task.`), any of which matches. */
  types?: string[];
  /** Events at or after this time, in ms. */
  since?: number;
  /** Exact types left out. */
  exclude?: string[];
  /**
   * The member id or label of the actor, or the agent named in the body (`agent`, `agent.name`,
   * `message.from`).
   */
  actor?: string;
}

/**
 * Every write method is atomic (all of it or none of it) and durable when its promise resolves:
 * the change is committed (and synced, unless the store was opened with a documented faster
 * mode). Every change to a room appends exactly one event in the same transaction as the
 * projection it changes, with the next dense `seq` of that room. Errors are `HuddleError`s.
 */
export interface Store {
  /** Creates the tables or brings them up to date. Safe to call on every start. */
  migrate(): Promise<void>;
  /** Finishes pending writes, then releases the database. */
  close(): Promise<void>;
  /** Cheap round trip to the database, for readiness checks. */
  ping(): Promise<void>;

  // Reads: they see every write whose promise has resolved.

  /** The live member and room of a token digest, or null (unknown, revoked or room deleted). */
  findCredential(tokenDigest: string): Promise<Credential | null>;
  findRoom(name: string): Promise<Room | null>;
  getCheckpoint(roomId: string): Promise<Checkpoint>;
  /** Events with `seq > after`, ascending, at most `limit`. */
  listEvents(roomId: string, after: number, limit: number): Promise<RoomEvent[]>;
  /** The newest `limit` events, ascending. */
  recentEvents(roomId: string, limit: number): Promise<RoomEvent[]>;
  /** Members of a room, oldest first, revoked ones included. */
  listMembers(roomId: string): Promise<Member[]>;
  /**
   * Counts over the whole hub, for its status: the rooms, and the agents of every room that are
   * neither offline nor retired.
   */
  hubCounts(): Promise<{ rooms: number; agents_online: number }>;

  // Writes.

  /**
   * Creates a room with its first member (an admin) and token, and appends `room.created`.
   * Fails with `room_exists` (conflict) when the name is taken.
   */
  createRoom(input: {
    room: { id: string; name: string; created_at: number };
    member: NewMember;
    token_digest: string;
    event: EventDraft;
  }): Promise<{ room: Room; member: Member; event: RoomEvent }>;

  /**
   * The outcome of a write already done under this idempotency key: the write's event, or
   * (for writes whose result is more than their event) the stored result; null when the key
   * is new. Fails with `idempotency_key_reused` when the key was used for another request.
   */
  findReplay(
    roomId: string,
    idem: Idempotency,
  ): Promise<{ event: RoomEvent } | { result: unknown } | null>;

  /** Appends one event that changes no projection (a note). */
  appendEvent(roomId: string, event: EventDraft, idem?: Idempotency): Promise<RoomEvent>;

  /**
   * Replaces the checkpoint and appends `checkpoint`, incrementing the version. With
   * `expected_version` set and different from the current one, fails with
   * `checkpoint_conflict` whose details hold the current version and who wrote it.
   */
  setCheckpoint(
    roomId: string,
    write: CheckpointWrite,
    event: (version: number) => EventDraft,
    idem?: Idempotency,
  ): Promise<{ checkpoint: Checkpoint; event: RoomEvent }>;

  /** Stores a pair code's digest and appends `code.created`. */
  createPairCode(code: PairCodeRecord, event: EventDraft, idem?: Idempotency): Promise<RoomEvent>;

  /**
   * Redeems a code exactly once: of any number of concurrent calls with one digest, one
   * succeeds; the others fail with `code_used`. Unknown digests fail with `code_not_found`,
   * codes past `expires_at` (compared with `now`) with `code_expired`. On success the new member
   * and token exist and `member.joined` is appended, all in one transaction.
   */
  redeemPairCode(input: {
    digest: string;
    now: number;
    member: Omit<NewMember, 'scopes'>;
    token_digest: string;
    event: (member: Member) => EventDraft;
  }): Promise<{ room: Room; member: Member; event: RoomEvent }>;

  /**
   * Adds a member with its token to an existing room and appends `event(member)`, in one
   * transaction (a local client trusted by the hub's secret joins this way, without a code).
   * Fails with `room_not_found`.
   */
  addMember(input: {
    room_id: string;
    member: NewMember;
    token_digest: string;
    event: (member: Member) => EventDraft;
  }): Promise<{ room: Room; member: Member; event: RoomEvent }>;

  /**
   * Gives a live member one more token and appends `event`, in one transaction. Fails with
   * `member_not_found` or `member_revoked`.
   */
  addToken(roomId: string, token: TokenRecord, event: EventDraft): Promise<RoomEvent>;

  /**
   * Replaces one token by another for the same member; the old digest stops working when this
   * resolves. Appends `member.token_rotated`.
   */
  rotateToken(
    oldDigest: string,
    token: TokenRecord,
    roomId: string,
    event: EventDraft,
  ): Promise<RoomEvent>;

  /**
   * Marks a member revoked and deletes all its tokens; appends `member.revoked`. Fails with
   * `member_not_found`, `member_revoked` (already), or `last_admin` when it would leave the room
   * without a live admin.
   */
  revokeMember(
    roomId: string,
    memberId: string,
    event: EventDraft,
    idem?: Idempotency,
  ): Promise<RoomEvent>;

  /** Deletes the room and everything in it (tokens, codes, events) in one transaction. */
  deleteRoom(roomId: string): Promise<void>;

  /** Every room of the hub, oldest first. */
  listRooms(): Promise<Room[]>;

  /**
   * Deletes one token of a live member and appends `event`, in one transaction; the member and
   * its other tokens stay. Fails with `token_not_found`.
   */
  removeToken(roomId: string, digest: string, event: EventDraft): Promise<RoomEvent>;

  // Browser sessions. They belong to the hub, not to a room: no event is appended (the
  // member's own events record what the browser did). Deleting a room forgets its entries.

  /** Stores a new session without rooms. Its digest is unique (256 random bits). */
  createWebSession(session: Omit<WebSessionRecord, 'rooms'>): Promise<void>;
  /** The session with its rooms (by room name), or null when unknown. */
  findWebSession(digest: string): Promise<WebSessionRecord | null>;
  /** Adds the browser's member in a room to the session, replacing an earlier one of that room. */
  addWebSessionRoom(digest: string, room: Omit<WebSessionRoom, 'room_name'>): Promise<void>;
  /** Forgets the session's entry for one room; nothing when it has none. */
  removeWebSessionRoom(digest: string, roomId: string): Promise<void>;
  /** Forgets the session and its rooms; nothing when unknown. */
  deleteWebSession(digest: string): Promise<void>;
  /** Records that the browser came back at `at`; nothing when the session is unknown. */
  touchWebSession(digest: string, at: number): Promise<void>;
  /** Forgets every session last seen before `before`; returns how many. */
  deleteIdleWebSessions(before: number): Promise<number>;

  // Agents and presence.

  /**
   * Registers an agent, or re-registers it: its inbox and history are kept, its capabilities
   * replaced, and it is online again (a retired agent comes back). A name belongs to the member
   * that registered it first; another member gets `agent_name_taken`. With `exclusive`, an agent
   * that is not offline or retired (something speaks for it now) is refused with `agent_in_use`,
   * checked in the same transaction. Appends `agent.registered`. With `quiet`, an agent that does
   * not exist yet is created offline (nothing speaks for it yet), and an existing one is left
   * exactly as it is, with no event (`event` is null).
   */
  registerAgent(
    roomId: string,
    agent: NewAgent,
    event: (agent: Agent, previous: Agent | null) => EventDraft,
    options?: { exclusive?: boolean; quiet?: boolean },
  ): Promise<{ agent: Agent; event: RoomEvent | null }>;
  /** Every agent of the room, retired ones included, by name. */
  listAgents(roomId: string): Promise<Agent[]>;
  getAgent(roomId: string, name: string): Promise<Agent | null>;
  /**
   * Records that the agent was seen at `at`. When `status` is given and differs from the stored
   * one, sets it and appends `event(from, to)` in the same transaction. Fails with
   * `agent_not_found`; a retired agent only changes by registering again (`agent_retired`).
   */
  touchAgent(
    roomId: string,
    name: string,
    at: number,
    status: AgentStatus | undefined,
    event: (from: AgentStatus, to: AgentStatus) => EventDraft,
  ): Promise<{ agent: Agent; event: RoomEvent | null }>;
  /**
   * Marks offline every agent, in every room, that is neither offline nor retired and was last
   * seen before `before`, appending `event(agent)` for each, with the agent as it was before.
   * Returns the events with their room ids.
   */
  sweepOffline(
    before: number,
    event: (agent: Agent) => EventDraft,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>>;

  // Live connections. Every hub on the database records each stream subscription bound to an
  // agent, so that a subscription ending on one hub takes the agent offline only when none is
  // left on any hub. A record expires unless the hub that owns it renews it: a hub that stopped
  // without closing its connections holds its agents online until then, no longer. These are not
  // the room's activity: no event is appended.

  /**
   * Records a live connection of the agent, live until `expiresAt`; opening an id again replaces
   * its record. Nothing when the room does not exist. Of an open and a close of one id issued in
   * that order by one process, the close wins.
   */
  openConnection(
    roomId: string,
    agent: string,
    connectionId: string,
    expiresAt: number,
  ): Promise<void>;
  /**
   * Sets the expiry of every recorded connection among `connectionIds`, in one statement, expired
   * ones included; unknown ids are ignored.
   */
  renewConnections(connectionIds: string[], expiresAt: number): Promise<void>;
  /**
   * Forgets one connection of the agent (nothing when unknown) and returns how many other
   * connections of that agent in that room are live at `at` (`expires_at > at`), counted in the
   * same transaction: of two closes of an agent's last two connections, on any hubs, exactly one
   * sees `others: 0`.
   */
  closeConnection(
    roomId: string,
    agent: string,
    connectionId: string,
    at: number,
  ): Promise<{ others: number }>;

  // Messages and receipts.

  /**
   * Stores a message with a `stored` receipt for each recipient and appends its `message`
   * event, atomically. With `duplicate_window_seconds` set, fails with `duplicate_message` when
   * the same sender stored a message with the same `digest` within that window before `at`.
   */
  sendMessage(
    roomId: string,
    input: {
      message: MessageDraft;
      at: number;
      digest: string;
      duplicate_window_seconds?: number;
      event: (m: Message) => EventDraft;
    },
    idem?: Idempotency,
  ): Promise<{ message: Message; event: RoomEvent }>;
  getMessage(roomId: string, id: string): Promise<Message | null>;
  /**
   * The agent's messages that are not acked, oldest first, at most `limit`; with `unread_only`,
   * only those not read either; with `uninjected_only`, only those not injected (nor read) yet;
   * with `ids`, only those.
   */
  inbox(
    roomId: string,
    agent: string,
    options: { unread_only: boolean; uninjected_only?: boolean; limit: number; ids?: string[] },
  ): Promise<InboxItem[]>;
  /** How many of the agent's messages are not read, and how many of those not injected either. */
  inboxCounts(roomId: string, agent: string): Promise<{ unread: number; uninjected: number }>;
  /**
   * Moves the agent's receipts for `ids` (or for every message not acked yet, with 'all') up to
   * `step`, filling earlier steps still empty with the same time: a message cannot be read before
   * it was delivered. Steps already reached keep their first time. Appends one `receipt` event
   * naming the messages that changed, or nothing when none did. Ids that are not the agent's are
   * ignored and not returned. With `lazy` the store may hold the change back for a few
   * milliseconds so that it shares a transaction with the next write rather than starting its
   * own (for `delivered`, recorded as a side effect of each delivery); it is as durable once the
   * promise resolves.
   */
  advanceReceipts(
    roomId: string,
    agent: string,
    ids: string[] | 'all',
    step: Exclude<ReceiptStep, 'stored'>,
    at: number,
    event: (changed: string[]) => EventDraft,
    lazy?: boolean,
  ): Promise<{ changed: string[]; event: RoomEvent | null }>;
  /** The receipt of every recipient of a message. */
  receipts(roomId: string, messageId: string): Promise<Receipt[]>;

  // The task board.

  /**
   * Runs `change` on the room's board and applies its outcome, in one transaction: the board it
   * sees is current and no other change of the room's tasks interleaves, so of concurrent claims
   * exactly one sees the task open. `change` is synchronous and may throw a HuddleError, which
   * rolls back everything. `include` names closed tasks the change needs to see. A replayed
   * idempotency key returns the first result and changes nothing.
   */
  changeTasks<T>(
    roomId: string,
    include: string[],
    change: (board: TaskBoard) => TaskChange<T>,
    idem?: Idempotency,
  ): Promise<{ result: T; event: RoomEvent | null }>;
  getTask(roomId: string, id: string): Promise<Task | null>;
  /** Tasks of the room, optionally only those with one of `statuses` or this assignee; oldest first. */
  listTasks(
    roomId: string,
    filter: { statuses?: Task['status'][]; assignee?: string },
  ): Promise<Task[]>;

  // Shared variables.

  /**
   * Sets a variable and appends `event`. With `expected_version`, the write happens only if the
   * current version equals it (0: the key must not exist); otherwise fails with
   * `variable_conflict` whose details hold the current variable. Versions keep increasing across
   * deletes, so an old version never matches a newer value. Fails with `too_many_variables` when
   * a new key would pass `max_keys`.
   */
  setVariable(
    roomId: string,
    input: {
      key: string;
      value: string;
      expected_version?: number;
      set_by: string;
      at: number;
      max_keys: number;
    },
    event: (v: Variable) => EventDraft,
    idem?: Idempotency,
  ): Promise<{ variable: Variable; event: RoomEvent }>;
  getVariable(roomId: string, key: string): Promise<Variable | null>;
  /** Every variable of the room, by key. */
  listVariables(roomId: string): Promise<Variable[]>;
  /**
   * Deletes a variable (with `expected_version`, only at that version) and appends `event`.
   * Fails with `variable_not_found` or `variable_conflict`.
   */
  deleteVariable(
    roomId: string,
    input: { key: string; expected_version?: number; at: number },
    event: (v: Variable) => EventDraft,
  ): Promise<{ variable: Variable; event: RoomEvent }>;

  // File leases.

  /**
   * Runs `decide` on the room's live leases and stores the lease it returns with its event, in
   * one transaction, so two conflicting requests never both succeed. `decide` may throw. A lease
   * id already in the room fails with `lease_id_taken`.
   */
  acquireLease(
    roomId: string,
    live: LeaseLiveness,
    decide: (leases: Lease[]) => { lease: Lease; event: EventDraft },
    idem?: Idempotency,
  ): Promise<{ lease: Lease; event: RoomEvent }>;
  /** The room's live leases, oldest first. */
  listLeases(roomId: string, live: LeaseLiveness): Promise<Lease[]>;
  /**
   * Ends the live leases that `pick` selects and appends `event(ended)` when there are any, in
   * one transaction.
   */
  releaseLeases(
    roomId: string,
    live: LeaseLiveness,
    pick: (leases: Lease[]) => Lease[],
    event: (ended: Lease[]) => EventDraft,
  ): Promise<{ released: Lease[]; event: RoomEvent | null }>;
  /**
   * Moves the expiry of the live leases that `pick` selects to `expires_at(lease)` and appends
   * `event(renewed)` when there are any.
   */
  renewLeases(
    roomId: string,
    live: LeaseLiveness,
    pick: (leases: Lease[]) => Lease[],
    expiresAt: (lease: Lease) => number,
    event: (renewed: Lease[]) => EventDraft,
  ): Promise<{ renewed: Lease[]; event: RoomEvent | null }>;
  /**
   * Ends, in every room, the leases that are no longer live, appending `event(lease, why)` for
   * each. Returns the events with their room ids.
   */
  sweepLeases(
    live: LeaseLiveness,
    event: (lease: Lease, why: 'expired' | 'agent_offline' | 'agent_retired') => EventDraft,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>>;

  // Approval requests.

  /**
   * Stores a pending approval request and appends `event(approval)`, in one transaction. With a
   * `match_key`, when a request of the same room, agent, tool and key is pending and its
   * `expires_at` is after `requested_at`, it joins that one instead: one more waiter on it, nothing
   * stored, no event (`joined: true`). The look-up and the insert are one transaction, so of
   * concurrent identical requests one creates and the others join.
   */
  createApproval(
    roomId: string,
    approval: NewApproval,
    event: (a: Approval) => EventDraft,
  ): Promise<
    | { approval: Approval; event: RoomEvent; joined: false }
    | { approval: Approval; event: null; joined: true }
  >;
  getApproval(roomId: string, id: string): Promise<Approval | null>;
  /** The room's approval requests, newest first, at most `limit`; with `pending_only`, only pending ones. */
  listApprovals(
    roomId: string,
    filter: { pending_only: boolean; limit: number },
  ): Promise<Approval[]>;
  /**
   * Ends a pending request exactly once and appends `event(approval)` in the same transaction: of
   * concurrent calls one wins, the others fail with `approval_already_decided` naming the outcome
   * and who decided (or `approval_expired` when it expired). A decision (anything but `expired`)
   * at or after `expires_at` fails with `approval_expired` and changes nothing. Fails with
   * `approval_not_found`.
   */
  settleApproval(
    roomId: string,
    id: string,
    settlement: ApprovalSettlement,
    event: (a: Approval) => EventDraft,
  ): Promise<{ approval: Approval; event: RoomEvent }>;
  /**
   * One waiter withdraws: while the request is pending, unexpired at `settlement.at` and has more
   * than one waiter, takes one away and changes nothing else (`event: null`); otherwise settles it
   * exactly as `settleApproval` does. One transaction, so of two waiters cancelling at once one
   * leaves and the other settles.
   */
  withdrawApproval(
    roomId: string,
    id: string,
    settlement: ApprovalSettlement,
    event: (a: Approval) => EventDraft,
  ): Promise<{ approval: Approval; event: RoomEvent | null }>;
  /**
   * Marks `expired` every pending request whose `expires_at` is at or before `now` (in one room,
   * or in every room), appending `event(approval)` for each. Returns the events with their rooms.
   */
  expireApprovals(
    now: number,
    event: (a: Approval) => EventDraft,
    roomId?: string,
  ): Promise<Array<{ room_id: string; event: RoomEvent }>>;

  // Rate limits that every hub on the store shares.

  /**
   * Takes one credit of the limit `name` for `key`, GCRA-style: the key's theoretical arrival time
   * moves `interval_ms` on from `max(stored, now)` unless that puts it more than `tolerance_ms`
   * ahead of `now`. Resolves 0 when the credit was taken, else how many ms until one is back (a
   * refusal takes nothing). Atomic across hubs: of concurrent takes, exactly as many succeed as
   * the bucket holds.
   */
  takeRateCredit(
    name: string,
    key: string,
    limit: { interval_ms: number; tolerance_ms: number },
    now: number,
  ): Promise<number>;

  // The activity log.

  /** Events matching `query`, ascending by seq, at most `query.limit`. */
  queryEvents(roomId: string, query: EventQuery): Promise<RoomEvent[]>;

  /**
   * Deletes idempotency records older than `before`, codes and connections expired before it,
   * and rate-limit records whose bucket was full again by then.
   */
  prune(before: number): Promise<void>;

  // Hub-wide settings and Web Push subscriptions. None of these writes appends an event:
  // subscriptions are a person's own devices, not the room's activity.

  /**
   * The hub-wide setting `key`. When there is none, stores `make()` first; of concurrent first
   * calls, from this process or another hub on the same database, every one gets the value that
   * was stored first.
   */
  hubSetting(key: string, make: () => string): Promise<string>;
  /**
   * Stores a subscription, or replaces the keys of the member's subscription with the same
   * endpoint (`created` false). Fails with `member_not_found`, `member_revoked`, or
   * `too_many_push_subscriptions` when the member already has `max` other endpoints; checked in
   * the same transaction.
   */
  putPushSubscription(sub: PushSubscriptionRecord, max: number): Promise<{ created: boolean }>;
  /** Deletes one subscription; false when there was none. */
  deletePushSubscription(roomId: string, memberId: string, endpoint: string): Promise<boolean>;
  /** Deletes every subscription of a member; returns how many there were. */
  deleteMemberPushSubscriptions(roomId: string, memberId: string): Promise<number>;
  /** The room's subscriptions (only `memberId`'s when given), oldest first. */
  listPushSubscriptions(roomId: string, memberId?: string): Promise<PushSubscriptionRecord[]>;
  /** The ids of the rooms that have at least one subscription. */
  pushRoomIds(): Promise<string[]>;
}
