// Needs you: across every room, agents waiting for a person, pending approvals and messages
// addressed to the person, newest first, each with its answer one tap away.

import { useBox } from '../box.js';
import { useState } from 'preact/hooks';
import { href } from '../router.js';
import { ack, errorText, roomList, sendMessage, version } from '../store.js';
import type { RoomState } from '../room-state.js';
import type { Agent, Approval, InboxItem } from '../types.js';
import { ApprovalCard } from './approval-card.js';
import { Empty, ErrorLine, Markdown, Refs, Time } from './bits.js';

type Item =
  | { kind: 'approval'; at: string; room: RoomState; approval: Approval }
  | { kind: 'waiting'; at: string; room: RoomState; agent: Agent }
  | { kind: 'message'; at: string; room: RoomState; item: InboxItem };

export function canApprove(s: RoomState): boolean {
  return (
    s.member.kind === 'person' &&
    (s.member.scopes.includes('approve') || s.member.scopes.includes('admin'))
  );
}

export function needsOf(s: RoomState): Item[] {
  const out: Item[] = [];
  for (const a of s.approvals.values())
    if (a.status === 'pending')
      out.push({ kind: 'approval', at: a.requested_at, room: s, approval: a });
  for (const a of s.agents.values())
    if (a.status === 'waiting' && a.name !== s.agent)
      out.push({ kind: 'waiting', at: a.last_seen, room: s, agent: a });
  // Messages named to the person; a broadcast only when urgent (as push notifications do).
  for (const i of s.inbox.values())
    if (i.message.to !== '*' || i.message.priority === 'urgent')
      out.push({ kind: 'message', at: i.message.created_at, room: s, item: i });
  return out;
}

export function NeedsYou() {
  useBox(version);
  const items = roomList()
    .flatMap(needsOf)
    .sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section aria-labelledby="needs-h">
      <h1 id="needs-h">Needs you</h1>
      {items.length === 0 && <Empty>Nothing needs you right now.</Empty>}
      <ul class="feed">
        {items.map((it) => (
          <li key={`${it.kind}:${it.room.name}:${keyOf(it)}`}>
            {it.kind === 'approval' ? (
              <ApprovalCard approval={it.approval} canDecide={canApprove(it.room)} />
            ) : it.kind === 'waiting' ? (
              <WaitingCard room={it.room} agent={it.agent} />
            ) : (
              <MessageCard room={it.room} item={it.item} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function keyOf(it: Item): string {
  return it.kind === 'approval'
    ? it.approval.id
    : it.kind === 'waiting'
      ? it.agent.name
      : it.item.message.id;
}

function WaitingCard({ room, agent }: { room: RoomState; agent: Agent }) {
  return (
    <article class="card waiting">
      <header>
        <strong>{agent.name}</strong> is waiting for a person
        <span class="muted">
          {' '}
          in {room.name} · <Time at={agent.last_seen} />
        </span>
      </header>
      <QuickReply room={room} to={agent.name} label={`Message ${agent.name}`} />
    </article>
  );
}

function MessageCard({ room, item }: { room: RoomState; item: InboxItem }) {
  const m = item.message;
  return (
    <article
      class={m.priority === 'urgent' ? 'card message urgent' : 'card message'}
      data-message={m.id}
    >
      <header>
        <strong>{m.from}</strong> <span class="kind">{m.kind}</span>
        {m.priority === 'urgent' && <span class="badge urgent">urgent</span>}
        {!item.receipt.read_at && <span class="badge">new</span>}
        <span class="muted">
          {' '}
          in <a href={href({ view: 'room', room: room.name, id: m.id })}>{room.name}</a> ·{' '}
          <Time at={m.created_at} />
        </span>
      </header>
      <Markdown text={m.body} />
      <Refs refs={m.refs} />
      <QuickReply room={room} to={m.from} replyTo={m.id} label={`Reply to ${m.from}`} />
    </article>
  );
}

function QuickReply(props: { room: RoomState; to: string; replyTo?: string; label: string }) {
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const send = async (ev: Event) => {
    ev.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setError('');
    try {
      await sendMessage(props.room.name, {
        to: props.to,
        body,
        kind: 'chat',
        priority: 'normal',
        ...(props.replyTo ? { reply_to: props.replyTo } : {}),
      });
      setBody('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="quick" onSubmit={send}>
      <label class="sr-only" for={`q-${props.room.name}-${props.replyTo ?? props.to}`}>
        {props.label}
      </label>
      <input
        id={`q-${props.room.name}-${props.replyTo ?? props.to}`}
        value={body}
        onInput={(e) => setBody((e.target as HTMLInputElement).value)}
        placeholder={props.label}
      />
      <button type="submit" disabled={busy || !body.trim()}>
        Send
      </button>
      {props.replyTo && (
        <button
          type="button"
          class="ghost"
          onClick={() =>
            ack(props.room.name, [props.replyTo!]).catch((e) => setError(errorText(e)))
          }
        >
          Done
        </button>
      )}
      <ErrorLine text={error} />
    </form>
  );
}
