// Agent, message and receipt rows as both stores read them, turned into the core's types, and
// the methods both messaging slices implement.

import { iso } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type {
  Agent,
  AgentClient,
  AgentStatus,
  CodeRef,
  Message,
  MessageKind,
  Receipt,
  ReceiptStep,
} from '../core/types.js';

/** The agents, presence, messages and receipts part of the Store. */
export type MessagingMethods = Pick<
  Store,
  | 'registerAgent'
  | 'listAgents'
  | 'getAgent'
  | 'touchAgent'
  | 'sweepOffline'
  | 'sendMessage'
  | 'getMessage'
  | 'inbox'
  | 'inboxCounts'
  | 'advanceReceipts'
  | 'receipts'
>;

export interface AgentRow {
  room_id: string;
  room: string;
  name: string;
  member_id: string;
  client: string;
  model: string | null;
  host: string | null;
  cwd: string | null;
  mcp_servers: string;
  tags: string;
  status: string;
  last_seen: number;
  registered_at: number;
}
export interface MessageRow {
  room: string;
  id: string;
  seq: number;
  sender: string;
  to_spec: string;
  recipients: string;
  kind: string;
  body: string;
  thread: string;
  reply_to: string | null;
  refs: string;
  priority: string;
  depth: number;
  created_at: number;
}
export interface ReceiptRow {
  message_id: string;
  agent: string;
  stored_at: number;
  delivered_at: number | null;
  injected_at: number | null;
  read_at: number | null;
  acked_at: number | null;
}

/** The columns of an `AgentRow`, from `agents a JOIN rooms r`. */
export const AGENT_COLUMNS = `a.room_id, r.name AS room, a.name, a.member_id, a.client, a.model, a.host, a.cwd,
  a.mcp_servers, a.tags, a.status, a.last_seen, a.registered_at`;
/** The columns of a `MessageRow`, from `messages m JOIN rooms r`. */
export const MESSAGE_COLUMNS = `r.name AS room, m.id, m.seq, m.sender, m.to_spec, m.recipients, m.kind, m.body,
  m.thread, m.reply_to, m.refs, m.priority, m.depth, m.created_at`;

/** The receipt columns a step sets, earlier steps first: a message is delivered before it is read. */
export const STEP_COLUMNS: Record<Exclude<ReceiptStep, 'stored'>, string[]> = {
  delivered: ['delivered_at'],
  injected: ['delivered_at', 'injected_at'],
  read: ['delivered_at', 'injected_at', 'read_at'],
  acked: ['delivered_at', 'injected_at', 'read_at', 'acked_at'],
};

export const toAgent = (a: AgentRow): Agent => ({
  name: a.name,
  room: a.room,
  member_id: a.member_id,
  client: a.client as AgentClient,
  model: a.model,
  host: a.host,
  cwd: a.cwd,
  mcp_servers: JSON.parse(a.mcp_servers) as string[],
  tags: JSON.parse(a.tags) as string[],
  status: a.status as AgentStatus,
  last_seen: iso(a.last_seen),
  registered_at: iso(a.registered_at),
});
export const toMessage = (m: MessageRow): Message => ({
  id: m.id,
  room: m.room,
  seq: m.seq,
  from: m.sender,
  to: JSON.parse(m.to_spec) as string | string[],
  recipients: JSON.parse(m.recipients) as string[],
  kind: m.kind as MessageKind,
  body: m.body,
  thread: m.thread,
  reply_to: m.reply_to,
  refs: JSON.parse(m.refs) as CodeRef[],
  priority: m.priority as Message['priority'],
  depth: m.depth,
  created_at: iso(m.created_at),
});
const time = (ms: number | null) => (ms === null ? null : iso(ms));
export const toReceipt = (r: ReceiptRow): Receipt => ({
  message_id: r.message_id,
  agent: r.agent,
  stored_at: iso(r.stored_at),
  delivered_at: time(r.delivered_at),
  injected_at: time(r.injected_at),
  read_at: time(r.read_at),
  acked_at: time(r.acked_at),
});
