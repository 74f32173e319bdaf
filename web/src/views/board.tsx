// The task board: columns by status, priority, assignee and dependencies on each card; the
// person creates, claims, starts, finishes, hands off and cancels tasks as their agent, and an
// admin overrides another agent's hold only by ticking the explicit override.

import { useBox } from '../box.js';
import { useState } from 'preact/hooks';
import { roomPath } from '../api.js';
import type { RoomState } from '../room-state.js';
import { act, errorText, version } from '../store.js';
import type { Task } from '../types.js';
import { Empty, ErrorLine } from './bits.js';

const COLUMNS: { status: Task['status']; label: string }[] = [
  { status: 'open', label: 'Open' },
  { status: 'blocked', label: 'Blocked' },
  { status: 'claimed', label: 'Claimed' },
  { status: 'in_progress', label: 'In progress' },
  { status: 'done', label: 'Done' },
  { status: 'cancelled', label: 'Cancelled' },
];
const PRIORITY = { critical: 0, high: 1, medium: 2, low: 3 } as const;

export function Board({ s }: { s: RoomState }) {
  useBox(version);
  const [force, setForce] = useState(false);
  const [error, setError] = useState('');
  const admin = s.member.scopes.includes('admin');
  const tasks = [...s.tasks.values()];

  const run = async (t: Task, action: string, extra: Record<string, unknown> = {}) => {
    setError('');
    const held = t.assignee && t.assignee !== s.agent;
    const body: Record<string, unknown> = { agent: s.agent, ...extra };
    if (force && held && action !== 'claim' && action !== 'start') body.force = true;
    try {
      if (action === 'priority') await act('PATCH', roomPath(s.name, `/tasks/${t.id}`), body);
      else await act('POST', roomPath(s.name, `/tasks/${t.id}/${action}`), body);
    } catch (err) {
      setError(`${t.id}: ${errorText(err)}`);
    }
  };

  return (
    <div class="board-view">
      <NewTask s={s} onError={setError} />
      {admin && (
        <label class="check override">
          <input
            type="checkbox"
            checked={force}
            onChange={(e) => setForce((e.target as HTMLInputElement).checked)}
          />
          <span>
            Admin override: act on tasks other agents hold (sent as <code>force</code>)
          </span>
        </label>
      )}
      <ErrorLine text={error} />
      <div class="board">
        {COLUMNS.map((c) => {
          const col = tasks
            .filter((t) => t.status === c.status)
            .sort(
              (a, b) =>
                PRIORITY[a.priority] - PRIORITY[b.priority] ||
                a.created_at.localeCompare(b.created_at),
            );
          return (
            <section
              key={c.status}
              class="column"
              aria-label={`${c.label} tasks`}
              data-status={c.status}
            >
              <h2>
                {c.label} <span class="count">{col.length}</span>
              </h2>
              {col.length === 0 && <Empty>none</Empty>}
              {col.map((t) => (
                <TaskCard key={t.id} t={t} s={s} run={run} force={force} />
              ))}
            </section>
          );
        })}
      </div>
    </div>
  );
}

function TaskCard(props: {
  t: Task;
  s: RoomState;
  run(t: Task, action: string, extra?: Record<string, unknown>): Promise<void>;
  /** The admin override is ticked. */
  force: boolean;
}) {
  const { t, s, run } = props;
  // A task another agent holds changes only through the explicit admin override.
  const mayChange = !t.assignee || t.assignee === s.agent || props.force;
  const [handTo, setHandTo] = useState('');
  const closed = t.status === 'done' || t.status === 'cancelled';
  const others = [...s.agents.values()].filter((a) => a.status !== 'retired').map((a) => a.name);
  return (
    <article class={`card task prio-${t.priority}`} data-task={t.id}>
      <header class="row spread">
        <code>{t.id}</code>
        <span class={`badge prio-${t.priority}`}>{t.priority}</span>
      </header>
      <p class="title">{t.title}</p>
      <p class="muted small">
        {t.assignee ? (
          <>
            assignee <strong>{t.assignee}</strong>
          </>
        ) : (
          'unassigned'
        )}
        {t.depends_on.length > 0 && <> · depends on {t.depends_on.join(', ')}</>}
      </p>
      {!closed && (
        <div class="row wrap actions">
          {t.status === 'open' && (
            <button class="small" onClick={() => run(t, 'claim')}>
              Claim
            </button>
          )}
          {(t.status === 'open' || (t.status === 'claimed' && t.assignee === s.agent)) && (
            <button class="small" onClick={() => run(t, 'start')}>
              Start
            </button>
          )}
          {t.status !== 'blocked' && mayChange && (
            <button class="small" onClick={() => run(t, 'done')}>
              Done
            </button>
          )}
          {t.assignee && mayChange && (
            <button class="small" onClick={() => run(t, 'unclaim')}>
              Unclaim
            </button>
          )}
          {mayChange && (
            <button class="small ghost" onClick={() => run(t, 'cancel')}>
              Cancel
            </button>
          )}
          {t.assignee && mayChange && (
            <span class="row">
              <label class="sr-only" for={`hand-${t.id}`}>
                Hand {t.id} to
              </label>
              <select
                id={`hand-${t.id}`}
                value={handTo}
                onChange={(e) => setHandTo((e.target as HTMLSelectElement).value)}
              >
                <option value="">hand to…</option>
                {others.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </select>
              <button
                class="small"
                disabled={!handTo}
                onClick={() => run(t, 'handoff', { to: handTo })}
              >
                Hand off
              </button>
            </span>
          )}
        </div>
      )}
    </article>
  );
}

function NewTask({ s, onError }: { s: RoomState; onError(e: string): void }) {
  const [title, setTitle] = useState('');
  const [priority, setPriority] = useState('medium');
  const [assignee, setAssignee] = useState('');
  const [deps, setDeps] = useState('');
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const body: Record<string, unknown> = { agent: s.agent, title, priority };
    if (assignee) body.assignee = assignee;
    const d = deps
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    if (d.length) body.depends_on = d;
    try {
      await act('POST', roomPath(s.name, '/tasks'), body);
      setTitle('');
      setDeps('');
    } catch (err) {
      onError(errorText(err));
    }
  };
  const names = [...s.agents.values()].filter((a) => a.status !== 'retired').map((a) => a.name);
  return (
    <form class="card new-task row wrap" onSubmit={submit} aria-label="New task">
      <label class="grow">
        New task
        <input
          name="title"
          value={title}
          maxLength={200}
          required
          onInput={(e) => setTitle((e.target as HTMLInputElement).value)}
          placeholder="Title"
        />
      </label>
      <label>
        Priority
        <select
          name="priority"
          value={priority}
          onChange={(e) => setPriority((e.target as HTMLSelectElement).value)}
        >
          {Object.keys(PRIORITY).map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        Assignee
        <select
          name="assignee"
          value={assignee}
          onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}
        >
          <option value="">none</option>
          {names.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <label>
        Depends on
        <input
          name="depends_on"
          value={deps}
          placeholder="T-abcd, T-efgh"
          onInput={(e) => setDeps((e.target as HTMLInputElement).value)}
        />
      </label>
      <button class="primary" type="submit" disabled={!title.trim()}>
        Create
      </button>
    </form>
  );
}
