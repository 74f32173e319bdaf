// The shapes of requests and answers on the wire, declared once: the Hub's use-cases take and
// answer them, the server carries them, and the HubClient, the MCP tools and the cockpit send and
// read them. Types only, over ./types.js alone, so the cockpit's browser build can import them.

import type {
  Checkpoint,
  CodeRef,
  LeaseMode,
  Member,
  Message,
  Room,
  RoomEvent,
  Scope,
  Task,
} from './types.js';

/** A new member and its token: creating a room, redeeming a pair code, joining locally. */
export interface JoinResponse {
  room: Room;
  member: Member;
  token: string;
}

/** A pair code an admin made for others to join the room with. */
export interface PairCodeResponse {
  room: string;
  code: string;
  scopes: Scope[];
  expires_at: string;
}

/** A one-use ticket that signs the browser in (`huddle open`). */
export interface WebTicketResponse {
  ticket: string;
  expires_at: string;
}

/** The room's newest events and its checkpoint; a stream resumes after `cursor`. */
export interface ReadResponse {
  room: Room;
  checkpoint: Checkpoint;
  events: RoomEvent[];
  cursor: number;
}

/** A page of events, oldest first: the next page starts after `next_after`. */
export interface HistoryResponse {
  events: RoomEvent[];
  next_after: number;
  has_more: boolean;
}

/** The activity log's filters; every one given must match. */
export interface ActivityQuery {
  after?: number | undefined;
  limit?: number | undefined;
  /** `task.claimed`, or `task.*` for a family; `*` for everything, upkeep included. */
  types?: string[] | undefined;
  /** An ISO time, or a duration back from now: `90s`, `15m`, `1h`, `2d`. */
  since?: string | undefined;
  /** An agent name, or a member's label or id. */
  actor?: string | undefined;
}

export interface SendRequest {
  to: string | string[];
  kind?: string | undefined;
  body: string;
  thread?: string | undefined;
  reply_to?: string | undefined;
  refs?: CodeRef[] | undefined;
  priority?: 'normal' | 'urgent' | undefined;
}

/** What a send, a reply or a share answers: the message and the event that carries it. */
export interface SendResponse {
  message: Message;
  event: RoomEvent;
}

/** A file or a line range, as text, posted as a `context` message; to everyone else by default. */
export interface ShareRequest {
  path: string;
  start_line?: number | undefined;
  end_line?: number | undefined;
  language?: string | undefined;
  content: string;
  note?: string | undefined;
  to?: string | string[] | undefined;
}

export interface TaskFields {
  title: string;
  description?: string | undefined;
  priority?: string | undefined;
  depends_on?: string[] | undefined;
  /** Assigns the task in advance; it is claimed for them as soon as it is not blocked. */
  assignee?: string | undefined;
}

/** One task of a plan: `ref` names it for the plan's other tasks' `depends_on`. */
export interface PlanItem extends TaskFields {
  ref?: string | undefined;
}

/** The fields of a task that may change after it is added; at least one must be given. */
export interface TaskUpdate {
  title?: string | undefined;
  description?: string | undefined;
  priority?: string | undefined;
  depends_on?: string[] | undefined;
}

export interface TaskResponse {
  task: Task;
  /** Null when the change was already made (a step the agent already took). */
  event: RoomEvent | null;
  /** Tasks this change unblocked (after done). */
  unblocked?: Task[];
  /** The message that told others (unblocked, handed off), when anyone was told. */
  message?: Message | null;
}

export interface LeaseRequest {
  paths: string[];
  mode?: LeaseMode | undefined;
  reason?: string | undefined;
  ttl_seconds?: number | undefined;
}

/** An agent's coding client asks a person to allow or deny a tool call. */
export interface ApprovalRequest {
  tool: string;
  input_preview?: string | undefined;
  reason?: string | undefined;
  client?: string | undefined;
  timeout_seconds?: number | undefined;
  /** Two requests for one prompt (hook and channel relay) name the same key to share one request. */
  match_key?: string | undefined;
}

/** One room of a browser session. */
export interface SessionRoomView {
  room: Room;
  member: Member;
  /** The person's agent in this room; null for a member that may only watch (no `write`). */
  agent: string | null;
}

/** A browser session as the cockpit reads it: the person and their rooms. */
export interface WebSessionView {
  person: { name: string };
  rooms: SessionRoomView[];
}
