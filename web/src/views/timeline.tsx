// The room timeline: notes, messages, checkpoint, task, lease and approval events in seq order,
// filtered by kind and agent; older pages load by cursor; the person's messages show receipts.

import { useBox } from '../box.js';
import { memo } from 'preact/compat';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RoomState } from '../room-state.js';
import { errorText, loadOlder, markRead, say, version } from '../store.js';
import type { Message, RoomEvent, Task } from '../types.js';
import { Ladder, Markdown, Refs, Time } from './bits.js';
import { Compose } from './compose.js';

const KINDS = ['all', 'message', 'note', 'task', 'lease', 'checkpoint', 'approval'] as const;

function category(e: RoomEvent): string {
  return e.type.split('.')[0]!;
}

function agentsOf(e: RoomEvent): string[] {
  const b = e.body as Record<string, any>;
  if (e.type === 'message') {
    const m = b.message as Message;
    return [m.from, ...m.recipients];
  }
  const out: string[] = [];
  if (typeof b.agent === 'string') out.push(b.agent);
  if (b.task?.assignee) out.push(b.task.assignee);
  if (b.lease?.agent) out.push(b.lease.agent);
  if (typeof b.to === 'string') out.push(b.to);
  return out;
}

export function Timeline({ s, focus }: { s: RoomState; focus?: string | undefined }) {
  useBox(version);
  const [kind, setKind] = useState<string>('all');
  const [agent, setAgent] = useState<string>('');
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [loading, setLoading] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  const events = [...s.events.values()]
    .sort((a, b) => a.seq - b.seq)
    .filter((e) => kind === 'all' || category(e) === kind)
    .filter((e) => !agent || agentsOf(e).includes(agent));

  const unread = [...s.inbox.values()].filter((i) => !i.receipt.read_at).map((i) => i.message.id);
  const unreadKey = unread.join(',');
  useEffect(() => {
    if (unread.length && document.visibilityState === 'visible')
      markRead(s.name, unread).catch(() => {});
  }, [s.name, unreadKey]);

  // Follow the newest event while the person is at the bottom of the list.
  useLayoutEffect(() => {
    const el = document.scrollingElement;
    if (!el) return;
    if (focus) {
      document.getElementById(`m-${focus}`)?.scrollIntoView({ block: 'center' });
      return;
    }
    if (stick.current) el.scrollTop = el.scrollHeight;
  }, [events.length, focus]);
  useEffect(() => {
    const onScroll = () => {
      const el = document.scrollingElement!;
      stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
    };
    addEventListener('scroll', onScroll, { passive: true });
    return () => removeEventListener('scroll', onScroll);
  }, []);

  const names = [...s.agents.keys()].sort();
  return (
    <div class="timeline-view">
      <div class="filters" role="group" aria-label="Filter the timeline">
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select value={agent} onChange={(e) => setAgent((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {s.oldest > 1 && (
        <button
          class="ghost older"
          disabled={loading}
          onClick={() => {
            stick.current = false;
            setLoading(true);
            loadOlder(s.name)
              .catch((e) => say(errorText(e), true))
              .finally(() => setLoading(false));
          }}
        >
          {loading ? 'Loading…' : 'Load older'}
        </button>
      )}
      <ol class="timeline" ref={listRef} aria-label={`Timeline of ${s.name}`} aria-live="polite">
        {events.map((e) => (
          <Entry
            key={e.seq}
            e={e}
            s={s}
            focus={focus}
            stamp={receiptStamp(s, e)}
            onReply={setReplyTo}
          />
        ))}
      </ol>
      {s.agent === null ? (
        <p class="muted">
          You watch this room: your pair code gave no write scope, so you cannot send.
        </p>
      ) : (
        <Compose s={s} replyTo={replyTo} onReplied={() => setReplyTo(null)} />
      )}
    </div>
  );
}

/**
 * What of an entry can change after it is shown: the receipts of the person's own message. An
 * event itself never changes, so an entry renders again only when this (or the focus) does: a
 * new event renders one entry, not the whole timeline.
 */
function receiptStamp(s: RoomState, e: RoomEvent): string {
  if (e.type !== 'message') return '';
  const receipts = s.receipts.get((e.body.message as Message).id);
  if (!receipts) return '';
  let stamp = '';
  for (const r of receipts.values())
    stamp += `${r.agent}:${r.acked_at ? 'a' : r.read_at ? 'r' : r.injected_at ? 'i' : r.delivered_at ? 'd' : 's'},`;
  return stamp;
}

interface EntryProps {
  e: RoomEvent;
  s: RoomState;
  focus?: string | undefined;
  stamp: string;
  onReply(m: Message): void;
}

const Entry = memo(
  EntryView,
  (a: EntryProps, b: EntryProps) =>
    a.e === b.e &&
    a.s === b.s &&
    a.focus === b.focus &&
    a.stamp === b.stamp &&
    a.onReply === b.onReply,
);

function EntryView(props: EntryProps) {
  const { e, s } = props;
  const b = e.body as Record<string, any>;
  if (e.type === 'message') {
    const m = b.message as Message;
    const mine = m.from === s.agent;
    const toMe = s.agent !== null && m.recipients.includes(s.agent);
    const cls = [
      'entry',
      'msg',
      mine ? 'mine' : '',
      toMe ? 'to-me' : '',
      m.priority === 'urgent' ? 'urgent' : '',
      props.focus === m.id ? 'focus' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return (
      <li class={cls} id={`m-${m.id}`} data-seq={e.seq} data-message={m.id}>
        <div class="meta">
          <strong>{m.from}</strong> →{' '}
          {Array.isArray(m.to) ? m.to.join(', ') : m.to === '*' ? 'everyone' : m.to}{' '}
          <span class="kind">{m.kind}</span>
          {m.priority === 'urgent' && <span class="badge urgent">urgent</span>}
          {m.reply_to && <span class="muted"> (reply)</span>}
          <span class="muted">
            {' '}
            · <Time at={m.created_at} />
          </span>
          {!mine && (
            <button class="link" onClick={() => props.onReply(m)} aria-label={`Reply to ${m.from}`}>
              Reply
            </button>
          )}
        </div>
        <Markdown text={m.body} />
        <Refs refs={m.refs} />
        {mine && <Ladder receipts={s.receipts.get(m.id)} />}
      </li>
    );
  }
  if (e.type === 'note')
    return (
      <li class="entry note" data-seq={e.seq}>
        <div class="meta">
          note by <strong>{e.actor?.label ?? 'hub'}</strong> · <Time at={e.ts} />
        </div>
        <Markdown text={String(b.text)} />
      </li>
    );
  return (
    <li class={`entry small ev-${category(e)}`} data-seq={e.seq}>
      <span class="muted">
        <Time at={e.ts} />
      </span>{' '}
      {describe(e)}
    </li>
  );
}

function taskText(t: Task | undefined): string {
  return t ? `${t.id} "${t.title}"` : '';
}

/** One line for an event that is not a message or a note. */
export function describe(e: RoomEvent): string {
  const b = e.body as Record<string, any>;
  const who = b.agent ?? e.actor?.label ?? 'hub';
  switch (e.type) {
    case 'checkpoint':
      return `${e.actor?.label ?? 'someone'} saved the checkpoint (version ${b.version})`;
    case 'task.created':
      return `${who} created ${taskText(b.task)}`;
    case 'task.planned':
      return `${who} planned ${(b.tasks as Task[]).map(taskText).join(', ')}`;
    case 'task.claimed':
      return `${who} claimed ${taskText(b.task)}`;
    case 'task.unclaimed':
      return `${who} unclaimed ${taskText(b.task)}`;
    case 'task.started':
      return `${who} started ${taskText(b.task)}`;
    case 'task.done':
      return `${who} finished ${taskText(b.task)}`;
    case 'task.cancelled':
      return `${who} cancelled ${taskText(b.task)}`;
    case 'task.handoff':
      return `${who} handed ${taskText(b.task)} to ${b.to}`;
    case 'task.updated':
      return `${who} changed ${(b.fields as string[]).join(', ')} of ${taskText(b.task)}`;
    case 'lease.acquired':
      return `${who} leased ${(b.lease.paths as string[]).join(', ')} (${b.lease.mode})`;
    case 'lease.released':
      return `${who} released ${(b.leases as { id: string; paths: string[] }[]).map((l) => l.paths.join(', ')).join('; ')}`;
    case 'lease.renewed':
      return `${who} renewed ${(b.leases as { id: string }[]).map((l) => l.id).join(', ')}`;
    case 'lease.expired':
      return `lease of ${b.lease.agent} on ${(b.lease.paths as string[]).join(', ')} ended (${b.why})`;
    case 'approval.requested':
      return `${b.agent ?? b.approval?.agent ?? 'an agent'} asked to use ${b.tool ?? b.approval?.tool ?? 'a tool'}`;
    case 'approval.decided':
      return `approval ${b.id ?? b.approval?.id ?? ''}: ${b.decision ?? b.status ?? b.approval?.status ?? 'decided'}`;
    default:
      return `${e.type} by ${who}`;
  }
}
