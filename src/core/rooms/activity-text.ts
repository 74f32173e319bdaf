// One short line per event for people and models reading a room's activity:
// `12:04 backend claimed T-4k2p Fix auth expiry check`.

import { overrideAside } from '../overrides.js';
import type { Lease, Message, RoomEvent, Task } from '../types.js';

const clip = (text: string, max = 80) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:MM` of an ISO time, in UTC or in the local time zone. */
export function clockTime(ts: string, utc = false): string {
  const d = new Date(ts);
  return utc
    ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
    : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Who did it: the agent named in the event, else the member's label, else the hub itself. */
export function eventActor(e: RoomEvent): string {
  const b = e.body;
  if (typeof b.agent === 'string') return b.agent;
  // agent.registered carries the whole agent.
  const agent = b.agent as { name?: unknown } | undefined;
  if (typeof agent?.name === 'string') return agent.name;
  const message = b.message as Message | undefined;
  if (message?.from) return message.from;
  return e.actor?.label ?? 'hub';
}

const taskText = (t: Task) => `${t.id} ${clip(t.title, 60)}`;
const ids = (tasks: Task[] | undefined) => (tasks ?? []).map((t) => t.id).join(', ');

/** What happened, without the time and actor. */
function what(e: RoomEvent): string {
  const b = e.body;
  const task = b.task as Task | undefined;
  switch (e.type) {
    case 'note':
      return `noted: ${clip(String(b.text ?? ''))}`;
    case 'checkpoint':
      return `updated the checkpoint to v${String(b.version)}`;
    case 'message': {
      const m = b.message as Message;
      return `→ ${m.recipients.join(', ') || '(room)'} (${m.kind}): ${clip(m.body)}`;
    }
    case 'receipt':
      return `${String(b.step)} ${(b.message_ids as string[]).length} message(s)`;
    case 'task.created':
      return `added ${taskText(task!)} [${task!.priority.toUpperCase()}]${task!.status === 'blocked' ? ` (waits on ${task!.depends_on.join(', ')})` : ''}`;
    case 'task.planned': {
      const tasks = b.tasks as Task[];
      return `planned ${tasks.length} task${tasks.length === 1 ? '' : 's'}: ${ids(tasks)}`;
    }
    case 'task.claimed':
      return `claimed ${taskText(task!)}`;
    case 'task.unclaimed':
      return `unclaimed ${taskText(task!)}`;
    case 'task.started':
      return `started ${taskText(task!)}`;
    case 'task.done': {
      const freed = b.unblocked as Task[] | undefined;
      return `finished ${taskText(task!)}${freed?.length ? `; unblocked ${ids(freed)}` : ''}`;
    }
    case 'task.cancelled':
      return `cancelled ${taskText(task!)}`;
    case 'task.handoff':
      return `handed ${taskText(task!)} to ${String(b.to)}`;
    case 'task.updated':
      return `updated ${taskText(task!)} (${(b.fields as string[]).join(', ')})`;
    case 'var.set':
      return `set ${String(b.key)} = ${JSON.stringify(clip(String(b.value), 60))} (v${String(b.version)})`;
    case 'var.deleted':
      return `deleted ${String(b.key)}`;
    case 'lease.acquired': {
      const l = b.lease as Lease;
      return `leased ${l.paths.join(', ')} (${l.mode}${l.reason ? `: ${clip(l.reason, 60)}` : ''})`;
    }
    case 'lease.released': {
      const leases = b.leases as Array<{ id: string; paths: string[] }>;
      return `released ${leases.flatMap((l) => l.paths).join(', ')}`;
    }
    case 'lease.renewed':
      return `renewed ${(b.leases as unknown[]).length} lease(s)`;
    case 'lease.expired': {
      const l = b.lease as Lease;
      const why = {
        expired: 'expired',
        agent_offline: 'ended: agent offline',
        agent_retired: 'ended: agent retired',
      }[String(b.why)];
      return `lease on ${l.paths.join(', ')} ${why ?? 'ended'}`;
    }
    case 'agent.registered':
      return b.restarted ? 'came back' : 'joined';
    case 'agent.status':
      return `is ${String(b.to)}`;
    case 'member.joined':
      return 'joined as a member';
    case 'room.created':
      return 'created the room';
    default:
      return e.type;
  }
}

/** `12:04 backend claimed T-4k2p Fix auth expiry check`; an admin override names the holder. */
export function renderActivity(e: RoomEvent, options: { utc?: boolean } = {}): string {
  return `${clockTime(e.ts, options.utc)} ${eventActor(e)} ${what(e)}${overrideAside(e)}`;
}
