// One room as the cockpit holds it, and how each event of the room's log changes it.

import type {
  Agent,
  Approval,
  Checkpoint,
  InboxItem,
  Lease,
  Member,
  Message,
  Receipt,
  Room,
  RoomEvent,
  Task,
  Variable,
} from './types.js';

export interface RoomState {
  name: string;
  room: Room;
  member: Member;
  /** The person's agent here; null when the member may only watch (no `write` scope). */
  agent: string | null;
  /** Events kept for the timeline, by seq (dedupes backlog, live and older pages). */
  events: Map<number, RoomEvent>;
  /** The smallest seq loaded; 1 or less means the whole log is loaded. */
  oldest: number;
  /** The seq of the last event applied: where the stream resumes. */
  cursor: number;
  agents: Map<string, Agent>;
  tasks: Map<string, Task>;
  leases: Map<string, Lease>;
  vars: Map<string, Variable>;
  members: Member[];
  checkpoint: Checkpoint;
  approvals: Map<string, Approval>;
  /** Messages to the person's agent not acked yet, by id. */
  inbox: Map<string, InboxItem>;
  /** Receipts of the person's own messages: message id → recipient → receipt. */
  receipts: Map<string, Map<string, Receipt>>;
  loaded: boolean;
  error: string | null;
}

export function emptyRoom(room: Room, member: Member, agent: string | null): RoomState {
  return {
    name: room.name,
    room,
    member,
    agent,
    events: new Map(),
    oldest: room.last_seq + 1,
    cursor: 0,
    agents: new Map(),
    tasks: new Map(),
    leases: new Map(),
    vars: new Map(),
    members: [],
    checkpoint: { text: '', version: 0, updated_by: null, updated_at: null },
    approvals: new Map(),
    inbox: new Map(),
    receipts: new Map(),
    loaded: false,
    error: null,
  };
}

const STEPS = ['stored', 'delivered', 'injected', 'read', 'acked'] as const;
type Step = (typeof STEPS)[number];

/** Moves a receipt to `step` at `at`, filling earlier empty steps, keeping first times. */
export function advanceReceipt(r: Receipt, step: Step, at: string): Receipt {
  const out = { ...r } as Receipt & Record<string, string | null>;
  for (const s of STEPS) {
    if (s === 'stored') continue;
    const key = `${s}_at`;
    if (out[key] == null) out[key] = at;
    if (s === step) break;
  }
  return out;
}

/** Where a receipt stands: the highest step reached. */
export function receiptStep(r: Receipt): Step {
  if (r.acked_at) return 'acked';
  if (r.read_at) return 'read';
  if (r.injected_at) return 'injected';
  if (r.delivered_at) return 'delivered';
  return 'stored';
}

export const TIMELINE_TYPES = /^(note|message|checkpoint|task\.|lease\.|approval\.)/;

function trackMessage(s: RoomState, m: Message): void {
  if (m.from === s.agent && !s.receipts.has(m.id)) {
    const map = new Map<string, Receipt>();
    for (const a of m.recipients)
      map.set(a, {
        message_id: m.id,
        agent: a,
        stored_at: m.created_at,
        delivered_at: null,
        injected_at: null,
        read_at: null,
        acked_at: null,
      });
    s.receipts.set(m.id, map);
  }
  if (
    s.agent !== null &&
    m.recipients.includes(s.agent) &&
    m.from !== s.agent &&
    !s.inbox.has(m.id)
  ) {
    s.inbox.set(m.id, {
      message: m,
      receipt: {
        message_id: m.id,
        agent: s.agent,
        stored_at: m.created_at,
        delivered_at: null,
        injected_at: null,
        read_at: null,
        acked_at: null,
      },
    });
  }
}

/**
 * Applies one event. Returns false when it was already applied (seq at or below the cursor),
 * so a replayed backlog changes nothing.
 */
export function applyEvent(s: RoomState, e: RoomEvent): boolean {
  if (e.seq <= s.cursor) return false;
  s.cursor = e.seq;
  s.room = { ...s.room, last_seq: Math.max(s.room.last_seq, e.seq) };
  if (TIMELINE_TYPES.test(e.type)) s.events.set(e.seq, e);
  const b = e.body as Record<string, any>;
  switch (e.type) {
    case 'message':
      trackMessage(s, b.message as Message);
      break;
    case 'receipt': {
      const step = b.step as Step;
      for (const id of b.message_ids as string[]) {
        const mine = s.receipts.get(id);
        const r = mine?.get(b.agent);
        if (mine && r) mine.set(b.agent, advanceReceipt(r, step, b.at));
        if (b.agent === s.agent) {
          const item = s.inbox.get(id);
          if (item) {
            if (step === 'acked') s.inbox.delete(id);
            else s.inbox.set(id, { ...item, receipt: advanceReceipt(item.receipt, step, b.at) });
          }
        }
      }
      break;
    }
    case 'agent.registered':
      s.agents.set(b.agent.name, b.agent as Agent);
      break;
    case 'agent.status': {
      const a = s.agents.get(b.agent);
      if (a) s.agents.set(a.name, { ...a, status: b.to, last_seen: e.ts });
      break;
    }
    case 'checkpoint':
      s.checkpoint = {
        text: b.text,
        version: b.version,
        updated_by: e.actor,
        updated_at: e.ts,
      };
      break;
    case 'member.joined':
      if (!s.members.some((m) => m.id === b.member_id))
        s.members = [
          ...s.members,
          {
            id: b.member_id,
            room_id: s.room.id,
            label: b.label,
            kind: b.kind ?? 'device',
            scopes: b.scopes,
            created_at: e.ts,
            revoked_at: null,
          } as Member,
        ];
      break;
    case 'member.revoked':
      s.members = s.members.map((m) => (m.id === b.member_id ? { ...m, revoked_at: e.ts } : m));
      break;
    case 'var.set':
      s.vars.set(b.key, {
        key: b.key,
        value: b.value,
        version: b.version,
        set_by: b.set_by,
        updated_at: e.ts,
      });
      break;
    case 'var.deleted':
      s.vars.delete(b.key);
      break;
    case 'lease.acquired':
      s.leases.set(b.lease.id, b.lease as Lease);
      break;
    case 'lease.released':
      for (const l of b.leases as { id: string }[]) s.leases.delete(l.id);
      break;
    case 'lease.renewed':
      for (const l of b.leases as { id: string; expires_at: string }[]) {
        const cur = s.leases.get(l.id);
        if (cur) s.leases.set(l.id, { ...cur, expires_at: l.expires_at });
      }
      break;
    case 'lease.expired':
      s.leases.delete(b.lease.id);
      break;
    default:
      if (e.type.startsWith('task.')) {
        const tasks: Task[] = [
          ...(b.task ? [b.task as Task] : []),
          ...((b.tasks as Task[]) ?? []),
          ...((b.unblocked as Task[]) ?? []),
        ];
        for (const t of tasks) s.tasks.set(t.id, t);
      } else if (e.type.startsWith('approval.') && b.approval) {
        s.approvals.set(b.approval.id, b.approval as Approval);
      }
  }
  return true;
}

/** Adds older events (from a page of the log) to the timeline without moving the cursor. */
export function addOlder(s: RoomState, events: RoomEvent[], from: number): void {
  for (const e of events) if (TIMELINE_TYPES.test(e.type)) s.events.set(e.seq, e);
  s.oldest = Math.min(s.oldest, from);
}
