// The Store port: what the Hub needs from a database, with the guarantees each method keeps.
// Implementations live in src/store and all pass test/contract/store-contract.ts.

import type {
  Actor,
  AgentClient,
  ApprovalDecider,
  ApprovalStatus,
  AgentCapabilities,
  EventDraft,
  Member,
  MemberKind,
  Message,
  Room,
  Scope,
  Task,
} from './types.js';
import type { MemberStore } from './members/member-store.js';
import type { WebSessionStore } from './members/web-session-store.js';
import type { PresenceStore } from './presence/presence-store.js';
import type { MessagingStore } from './messaging/messaging-store.js';
import type { TaskStore } from './tasks/task-store.js';
import type { VariableStore } from './variables/variable-store.js';
import type { LeaseStore } from './leases/lease-store.js';
import type { ApprovalStore } from './approvals/approval-store.js';
import type { PushStore } from './push/push-store.js';
import type { RoomStore } from './rooms/room-store.js';

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
 * projection it changes, with the next dense `seq` of that room. Errors are `HuddleError`s. Reads
 * see every write whose promise has resolved. Each domain declares its slice beside its rules.
 */
export interface Store
  extends
    MemberStore,
    WebSessionStore,
    PresenceStore,
    MessagingStore,
    TaskStore,
    VariableStore,
    LeaseStore,
    ApprovalStore,
    PushStore,
    RoomStore {
  /** Creates the tables or brings them up to date. Safe to call on every start. */
  migrate(): Promise<void>;
  /** Finishes pending writes, then releases the database. */
  close(): Promise<void>;
  /** Cheap round trip to the database, for readiness checks. */
  ping(): Promise<void>;
}
