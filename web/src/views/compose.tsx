// Compose as the person: to one agent or everyone, a kind, normal or urgent, optionally as a
// reply in a message's thread. Ctrl+Enter (or Cmd+Enter) sends.

import { useState } from 'preact/hooks';
import type { RoomState } from '../room-state.js';
import { errorText, sendMessage } from '../store.js';
import type { Message } from '../types.js';

const KINDS = ['chat', 'question', 'task', 'finding', 'status', 'review', 'handoff', 'context'];

export function Compose(props: { s: RoomState; replyTo: Message | null; onReplied(): void }) {
  const { s, replyTo } = props;
  const [to, setTo] = useState('*');
  const [kind, setKind] = useState('chat');
  const [urgent, setUrgent] = useState(false);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const agents = [...s.agents.values()]
    .filter((a) => a.name !== s.agent && a.status !== 'retired')
    .map((a) => a.name)
    .sort();
  const target = replyTo ? replyTo.from : to;

  const send = async (ev?: Event) => {
    ev?.preventDefault();
    if (!body.trim() || busy) return;
    setBusy(true);
    setError('');
    try {
      await sendMessage(s.name, {
        to: target,
        body,
        kind,
        priority: urgent ? 'urgent' : 'normal',
        ...(replyTo ? { reply_to: replyTo.id } : {}),
      });
      setBody('');
      props.onReplied();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="compose card" onSubmit={send} aria-label="Send a message">
      {replyTo && (
        <p class="replying">
          Replying to <strong>{replyTo.from}</strong>: {replyTo.body.slice(0, 80)}
          <button type="button" class="link" onClick={props.onReplied}>
            Cancel reply
          </button>
        </p>
      )}
      <div class="row wrap">
        {!replyTo && (
          <label>
            To
            <select
              name="to"
              value={to}
              onChange={(e) => setTo((e.target as HTMLSelectElement).value)}
            >
              <option value="*">everyone</option>
              {agents.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Kind
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value)}
          >
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="urgent"
            checked={urgent}
            onChange={(e) => setUrgent((e.target as HTMLInputElement).checked)}
          />
          Urgent
        </label>
      </div>
      <label class="sr-only" for={`body-${s.name}`}>
        Message
      </label>
      <textarea
        id={`body-${s.name}`}
        name="body"
        rows={3}
        value={body}
        placeholder={`Message ${target === '*' ? 'everyone' : target} as ${s.agent} (Markdown; Ctrl+Enter sends)`}
        onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
        }}
      />
      <div class="row spread">
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : (
          <span />
        )}
        <button class="primary" type="submit" disabled={busy || !body.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
