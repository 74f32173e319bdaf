// The records of huddle's model as they cross the wire: rooms, members, events, checkpoints.

export const SCOPES = ['read', 'write', 'checkpoint', 'approve', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who did something: the member (credential holder) and its label. */
export interface Actor {
  member_id: string;
  label: string;
}

export interface Room {
  id: string;
  name: string;
  created_at: string;
  /** The seq of the newest event; 0 for none. */
  last_seq: number;
}

/** A device (a machine's CLI, hooks and MCP bridge) or a person (a signed-in browser). */
export const MEMBER_KINDS = ['device', 'person'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

export interface Member {
  id: string;
  room_id: string;
  label: string;
  kind: MemberKind;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

/** One entry of a room's append-only log. `seq` is dense and increasing within the room. */
export interface RoomEvent {
  room: string;
  seq: number;
  id: string;
  ts: string;
  actor: Actor | null;
  type: string;
  body: Record<string, unknown>;
}

/** An event before the store has given it a seq. */
export interface EventDraft {
  id: string;
  ts: number;
  actor: Actor | null;
  type: string;
  body: Record<string, unknown>;
}

export interface Checkpoint {
  text: string;
  /** 0 while no checkpoint was ever written; increases by one with each write. */
  version: number;
  updated_by: Actor | null;
  updated_at: string | null;
}

export const AGENT_CLIENTS = [
  'claude-code',
  'codex',
  'gemini',
  'cursor',
  'opencode',
  'vscode',
  'human',
  'other',
] as const;
export type AgentClient = (typeof AGENT_CLIENTS)[number];

/** `offline` after missed heartbeats; `retired` when removed on purpose (no longer addressable). */
export const AGENT_STATUSES = [
  'online',
  'working',
  'idle',
  'waiting',
  'offline',
  'retired',
] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** What an agent announces about itself so others can route work to it. */
export interface AgentCapabilities {
  client: AgentClient;
  model: string | null;
  host: string | null;
  cwd: string | null;
  mcp_servers: string[];
  tags: string[];
}

/** An addressable participant of a room, bound to the member whose token registered it. */
export interface Agent extends AgentCapabilities {
  name: string;
  room: string;
  member_id: string;
  status: AgentStatus;
  last_seen: string;
  registered_at: string;
}

export const MESSAGE_KINDS = [
  'finding',
  'status',
  'question',
  'handoff',
  'task',
  'review',
  'context',
  'chat',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** A reference to code: a path with an optional line range and snippet. */
export interface CodeRef {
  path: string;
  start_line?: number;
  end_line?: number;
  snippet?: string;
  /** The snippet's language, for highlighting (`ts`, `python`). */
  language?: string;
}

export interface Message {
  id: string;
  room: string;
  /** The seq of the `message` event that carried it. */
  seq: number;
  from: string;
  /** As addressed: one name, a list, or "*". */
  to: string | string[];
  /** Who it was stored for, resolved when it was sent. */
  recipients: string[];
  kind: MessageKind;
  body: string;
  thread: string;
  reply_to: string | null;
  refs: CodeRef[];
  priority: 'normal' | 'urgent';
  /** Replies between agents since the last human message in the chain. */
  depth: number;
  created_at: string;
}

/** The steps of proven delivery, in order. Reaching a step implies the ones before it. */
export const RECEIPT_STEPS = ['stored', 'delivered', 'injected', 'read', 'acked'] as const;
export type ReceiptStep = (typeof RECEIPT_STEPS)[number];

export interface Receipt {
  message_id: string;
  agent: string;
  stored_at: string;
  delivered_at: string | null;
  injected_at: string | null;
  read_at: string | null;
  acked_at: string | null;
}

/** A message in an agent's inbox, with that agent's receipt. */
export interface InboxItem {
  message: Message;
  receipt: Receipt;
}

export const TASK_STATUSES = [
  'open',
  'blocked',
  'claimed',
  'in_progress',
  'done',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** Highest first: `ready` and the board sort by this order. */
export const TASK_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/**
 * A unit of work on the room's board. `blocked` while a dependency is not done; `claimed` and
 * `in_progress` have an assignee; `done` and `cancelled` are final.
 */
export interface Task {
  id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee: string | null;
  depends_on: string[];
  result: string | null;
  /** The agent that created it. */
  created_by: string;
  created_at: string;
  updated_at: string;
  /** When it became done or cancelled. */
  closed_at: string | null;
}

/** A shared key/value setting of the room, changed by compare-and-set on `version`. */
export interface Variable {
  key: string;
  value: string;
  version: number;
  /** The agent, or the member's label when no agent set it. */
  set_by: string;
  updated_at: string;
}

export const LEASE_MODES = ['exclusive', 'shared'] as const;
export type LeaseMode = (typeof LEASE_MODES)[number];

/** An agent's reservation of paths or globs, relative to the repository root. */
export interface Lease {
  id: string;
  agent: string;
  paths: string[];
  mode: LeaseMode;
  reason: string;
  ttl_seconds: number;
  created_at: string;
  expires_at: string;
}

/** Where an approval request stands. Only `pending` changes, and only once. */
export const APPROVAL_STATUSES = ['pending', 'allowed', 'denied', 'expired', 'cancelled'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Who answered an approval request: a person's member, and that person's agent in the room. */
export interface ApprovalDecider {
  member_id: string;
  label: string;
  /** The person's agent name (client `human`), or null when the member has none in the room. */
  agent: string | null;
}

/**
 * An agent's request for a person's permission to run a tool (a coding client's permission
 * prompt), and its outcome. Only a person's member with the `approve` scope answers it; when
 * nobody does before `expires_at` it expires and the client's own prompt decides.
 */
export interface Approval {
  id: string;
  room: string;
  /** The requesting agent. */
  agent: string;
  /** The coding client that asked (`claude-code`, `codex`, ...). */
  client: AgentClient;
  tool: string;
  /** What the tool would run, at most APPROVAL_PREVIEW_MAX_CHARS, shortened with a marker. */
  input_preview: string;
  reason: string | null;
  status: ApprovalStatus;
  requested_at: string;
  expires_at: string;
  decided_at: string | null;
  /** Null while pending, and when it expired. */
  decided_by: ApprovalDecider | null;
  decision_reason: string | null;
  /**
   * How many requests wait on it: 1, or more when requests for the same prompt joined it (the
   * PermissionRequest hook and the channel relay, see `match_key`). A cancel takes one away.
   */
  waiters: number;
}
