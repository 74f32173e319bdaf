// What the MCP tools need from the hub, for one agent in one room. The stdio bridge implements it
// over HubClient; the hub's own /mcp endpoint implements it over the Hub. Every write acts as
// `agent`; refusals are thrown as errors with a code and a message (HubError, HuddleError).

import type {
  ActivityQuery,
  HistoryResponse,
  LeaseRequest,
  PlanItem,
  ReadResponse,
  SendRequest,
  TaskFields,
  TaskResponse,
  TaskUpdate,
} from '../core/api-types.js';
import type {
  Agent,
  Checkpoint,
  InboxItem,
  Lease,
  Message,
  RoomEvent,
  Task,
  Variable,
} from '../core/types.js';

export type TaskStep = 'claim' | 'unclaim' | 'start' | 'done' | 'cancel';

/**
 * A file or line range to post as a snippet. Without `content` the session reads the file itself
 * (only the stdio bridge can: it runs next to the agent's files); with it, `content` is posted.
 */
export interface ShareSpec {
  path: string;
  start_line?: number;
  end_line?: number;
  content?: string;
  note?: string;
  /** Default: everyone else. */
  to?: string | string[];
}

export interface AgentSession {
  readonly room: string;
  readonly agent: string;
  read(limit: number): Promise<ReadResponse>;
  history(after: number, limit: number): Promise<HistoryResponse>;
  /** The room's events filtered by type, actor and time (receipts and renewals left out). */
  activity(query: ActivityQuery): Promise<HistoryResponse>;
  writeNote(text: string): Promise<{ event: RoomEvent }>;
  setCheckpoint(
    text: string,
    expectedVersion?: number,
  ): Promise<{ checkpoint: Checkpoint; event: RoomEvent }>;
  send(request: SendRequest): Promise<{ message: Message }>;
  reply(messageId: string, body: string, kind?: string): Promise<{ message: Message }>;
  share(spec: ShareSpec): Promise<{ message: Message }>;
  peekInbox(all: boolean): Promise<{ messages: InboxItem[] }>;
  readInbox(ids?: string[]): Promise<{ messages: InboxItem[] }>;
  ack(ids: string[] | 'all'): Promise<{ acked: string[] }>;
  agents(): Promise<{ agents: Agent[] }>;

  /** With `ready`, the claimable tasks; otherwise the given statuses (default: not closed). */
  tasks(filter: { ready?: boolean; status?: string[]; assignee?: string }): Promise<{
    tasks: Task[];
  }>;
  task(id: string): Promise<{ task: Task }>;
  addTask(fields: TaskFields): Promise<TaskResponse>;
  planTasks(items: PlanItem[]): Promise<{ tasks: Task[]; refs: Record<string, string> }>;
  /**
   * `force` (here, in taskStep for unclaim, done and cancel, and in handoffTask): an admin's
   * override of another agent's hold on the task.
   */
  updateTask(id: string, fields: TaskUpdate & { force?: boolean }): Promise<TaskResponse>;
  /** `done` lists the tasks it unblocked. A step the agent already took answers `event: null`. */
  taskStep(id: string, step: TaskStep, result?: string, force?: boolean): Promise<TaskResponse>;
  handoffTask(id: string, to: string, note?: string, force?: boolean): Promise<TaskResponse>;

  variables(): Promise<{ variables: Variable[] }>;
  variable(key: string): Promise<{ variable: Variable }>;
  /** Compare-and-set: with `expectedVersion` (0: must not exist) a newer value is a conflict. */
  setVariable(
    key: string,
    value: string,
    expectedVersion?: number,
  ): Promise<{ variable: Variable }>;
  deleteVariable(key: string, expectedVersion?: number): Promise<{ deleted: Variable }>;

  /** Live leases, only `agent`'s, or only those covering `path`. */
  leases(filter: { agent?: string; path?: string }): Promise<{ leases: Lease[] }>;
  /** Refused with `lease_conflict`, naming the holder, when another agent's lease overlaps. */
  lease(request: LeaseRequest): Promise<{ lease: Lease }>;
  /** With `force`, an admin's agent ends another agent's lease by id. */
  release(
    target: ({ ids: string[] } | { paths: string[] }) & { force?: boolean },
  ): Promise<{ released: Lease[]; event: RoomEvent | null }>;
}
