// The cockpit's entry: redeems an /open#t=... ticket or reads the session, renders the app,
// and registers the service worker.

import { render } from 'preact';
import { errorText, loadSession, say, session, signIn } from './store.js';
import { App } from './views/app.js';
import { ticketFromLink } from './views/sign-in.js';
import './styles.css';

render(<App />, document.getElementById('app')!);

const ticket = ticketFromLink();
if (ticket) {
  // The ticket is good once: take it out of the address bar before anything else.
  history.replaceState(null, '', '/');
  signIn({ ticket })
    .then((s) => {
      const room = s.rooms.length === 1 ? s.rooms[0]!.room.name : '';
      location.hash = room ? `#/rooms/${encodeURIComponent(room)}` : '#/';
    })
    .catch(async (err) => {
      await loadSession();
      if (session.value === null) say(`That sign-in link did not work: ${errorText(err)}`, true);
    });
} else void loadSession();

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    /* no service worker (plain http on a LAN address): the cockpit works without it */
  });
}
