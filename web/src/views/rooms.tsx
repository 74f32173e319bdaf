// Rooms: each signed-in room with its agents' presence, unread count and what needs the person;
// join another room with a pair code; leave a room; sign out.

import { useBox } from '../box.js';
import { useState } from 'preact/hooks';
import { href } from '../router.js';
import { errorText, leaveRoom, roomList, session, signOut, version } from '../store.js';
import { Empty, ErrorLine, Status } from './bits.js';
import { needsOf } from './needs-you.js';
import { SignIn } from './sign-in.js';

export function Rooms() {
  useBox(version);
  const [error, setError] = useState('');
  const list = roomList();
  return (
    <section aria-labelledby="rooms-h">
      <h1 id="rooms-h">Rooms</h1>
      {list.length === 0 && <Empty>You are in no room yet.</Empty>}
      <ul class="rooms">
        {list.map((s) => {
          const unread = [...s.inbox.values()].filter((i) => !i.receipt.read_at).length;
          const needs = needsOf(s).length;
          const live = [...s.agents.values()].filter((a) => a.status !== 'retired');
          return (
            <li key={s.name} class="card room-card" data-room={s.name}>
              <div class="row spread">
                <a class="room-link" href={href({ view: 'room', room: s.name })}>
                  {s.name}
                </a>
                <span class="row">
                  {unread > 0 && (
                    <span class="badge" aria-label={`${unread} unread`}>
                      {unread} unread
                    </span>
                  )}
                  {needs > 0 && <span class="badge urgent">{needs} need you</span>}
                </span>
              </div>
              <p class="muted">
                as <strong>{s.agent}</strong> · member {s.member.label} (
                {s.member.scopes.join(', ')})
              </p>
              {s.error && <p class="error">{s.error}</p>}
              <ul class="presence" aria-label={`Agents in ${s.name}`}>
                {live.map((a) => (
                  <li key={a.name}>
                    {a.name} <Status status={a.status} />
                  </li>
                ))}
              </ul>
              <button
                class="ghost small"
                onClick={() =>
                  confirm(`Leave ${s.name}? This browser's member there is revoked.`) &&
                  leaveRoom(s.name).catch((e) => setError(errorText(e)))
                }
              >
                Leave room
              </button>
            </li>
          );
        })}
      </ul>
      <ErrorLine text={error} />
      <SignIn adding />
      <div class="card">
        <p>
          Signed in as <strong>{session.value?.person.name}</strong>.
        </p>
        <button class="danger" onClick={() => signOut().catch((e) => setError(errorText(e)))}>
          Sign out
        </button>
      </div>
    </section>
  );
}
