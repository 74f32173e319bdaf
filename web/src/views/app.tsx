// The cockpit's frame: sign-in until there is a session, then a sidebar (desktop) or a bottom
// tab bar (phone) around the current view.

import { useBox } from '../box.js';
import { href, route } from '../router.js';
import { notice, roomList, rooms, session, streamState, unreachable, version } from '../store.js';
import { Admin } from './admin.js';
import { Agents } from './agents.js';
import { Approvals } from './approvals.js';
import { Board } from './board.js';
import { Checkpoint } from './checkpoint.js';
import { needsOf, NeedsYou } from './needs-you.js';
import { Notifications } from './notifications.js';
import { Rooms } from './rooms.js';
import { codeFromLink, SignIn } from './sign-in.js';
import { Timeline } from './timeline.js';

const ROOM_TABS = [
  ['timeline', 'Timeline'],
  ['board', 'Board'],
  ['checkpoint', 'Checkpoint'],
  ['agents', 'Agents'],
  ['approvals', 'Approvals'],
  ['admin', 'Admin'],
] as const;

export function App() {
  const s = useBox(session);
  const away = useBox(unreachable);
  if (s === undefined)
    return away ? (
      <main class="signed-out">
        <div class="card sign-in" role="alert">
          <h1>Cannot reach the hub</h1>
          <p>The cockpit will connect again by itself as soon as the hub answers.</p>
        </div>
      </main>
    ) : (
      <p class="loading">Loading…</p>
    );
  if (s === null)
    return (
      <main class="signed-out">
        <SignIn />
        <Notice />
      </main>
    );
  return <Shell />;
}

function Notice() {
  const n = useBox(notice);
  if (!n) return null;
  return (
    <div class={n.error ? 'notice error' : 'notice'} role={n.error ? 'alert' : 'status'}>
      {n.text}
      <button class="link" onClick={() => (notice.value = null)} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}

function Shell() {
  useBox(version);
  const r = useBox(route);
  const needs = roomList().reduce((n, s) => n + needsOf(s).length, 0);
  const st = useBox(streamState);
  const nav = (
    <>
      <a href="#/" aria-current={r.view === 'needs' ? 'page' : undefined}>
        Needs you{needs > 0 && <span class="badge urgent">{needs}</span>}
      </a>
      <a href="#/rooms" aria-current={r.view === 'rooms' ? 'page' : undefined}>
        Rooms
      </a>
      <a href="#/settings" aria-current={r.view === 'settings' ? 'page' : undefined}>
        Alerts
      </a>
    </>
  );
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <aside class="sidebar" aria-label="Navigation">
        <p class="brand">huddle</p>
        <nav class="side-nav">{nav}</nav>
        <nav class="side-rooms" aria-label="Your rooms">
          {roomList().map((s) => (
            <a
              key={s.name}
              href={href({ view: 'room', room: s.name })}
              aria-current={r.view === 'room' && r.room === s.name ? 'page' : undefined}
            >
              {s.name}
            </a>
          ))}
        </nav>
        <p class={`conn conn-${st}`} role="status">
          {st === 'live' ? 'Live' : st === 'reconnecting' ? 'Reconnecting…' : st}
        </p>
      </aside>
      <main id="main" tabIndex={-1}>
        {st !== 'live' && (
          <p class={`conn-bar conn-${st}`} role="status">
            {st === 'reconnecting' ? 'Connection lost; reconnecting…' : 'Connecting…'}
          </p>
        )}
        <Notice />
        {codeFromLink() && <SignIn adding />}
        {r.view === 'needs' && <NeedsYou />}
        {r.view === 'rooms' && <Rooms />}
        {r.view === 'settings' && <Notifications />}
        {r.view === 'room' && <RoomView name={r.room!} tab={r.tab ?? 'timeline'} id={r.id} />}
      </main>
      <nav class="tabbar" aria-label="Navigation">
        {nav}
      </nav>
    </div>
  );
}

function RoomView({ name, tab, id }: { name: string; tab: string; id?: string | undefined }) {
  const s = rooms.get(name);
  if (!s)
    return (
      <section>
        <h1>{name}</h1>
        <p class="error">
          You are not signed in to this room. <a href="#/rooms">Join it with a pair code.</a>
        </p>
      </section>
    );
  const pending = [...s.approvals.values()].filter((a) => a.status === 'pending').length;
  return (
    <section class="room" aria-labelledby="room-h">
      <header class="room-head">
        <h1 id="room-h">{s.name}</h1>
        <nav class="room-tabs" aria-label={`${s.name} views`}>
          {ROOM_TABS.map(([t, label]) => (
            <a
              key={t}
              href={href({ view: 'room', room: s.name, tab: t })}
              aria-current={tab === t ? 'page' : undefined}
            >
              {label}
              {t === 'approvals' && pending > 0 && <span class="badge urgent">{pending}</span>}
            </a>
          ))}
        </nav>
      </header>
      {s.error && <p class="error">{s.error}</p>}
      {!s.loaded ? (
        <p class="loading">Loading {s.name}…</p>
      ) : tab === 'board' ? (
        <Board s={s} />
      ) : tab === 'checkpoint' ? (
        <Checkpoint s={s} />
      ) : tab === 'agents' ? (
        <Agents s={s} />
      ) : tab === 'approvals' ? (
        <Approvals s={s} focus={id} />
      ) : tab === 'admin' ? (
        <Admin s={s} />
      ) : (
        <Timeline s={s} focus={id} />
      )}
    </section>
  );
}
