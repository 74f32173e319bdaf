// Hash routes: #/ (needs you), #/rooms, #/rooms/<room>[/<tab>[/<id>]], #/settings.

import { box } from './box.js';

export interface Route {
  view: 'needs' | 'rooms' | 'room' | 'settings';
  room?: string;
  tab?: 'timeline' | 'board' | 'checkpoint' | 'agents' | 'approvals' | 'admin';
  /** A message id (timeline) or an approval id (approvals). */
  id?: string;
}

const TABS = ['timeline', 'board', 'checkpoint', 'agents', 'approvals', 'admin'] as const;

export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  if (parts[0] === 'rooms' && parts[1]) {
    const room = parts[1];
    if (parts[2] === 'messages') return { view: 'room', room, tab: 'timeline', id: parts[3] };
    const tab = (TABS as readonly string[]).includes(parts[2] ?? '')
      ? (parts[2] as Route['tab'])
      : 'timeline';
    return { view: 'room', room, tab, id: parts[3] };
  }
  if (parts[0] === 'rooms') return { view: 'rooms' };
  if (parts[0] === 'settings') return { view: 'settings' };
  return { view: 'needs' };
}

export function href(r: Route): string {
  if (r.view === 'rooms') return '#/rooms';
  if (r.view === 'settings') return '#/settings';
  if (r.view === 'room' && r.room) {
    const base = `#/rooms/${encodeURIComponent(r.room)}`;
    if (!r.tab || r.tab === 'timeline') return r.id ? `${base}/messages/${r.id}` : base;
    return `${base}/${r.tab}${r.id ? `/${encodeURIComponent(r.id)}` : ''}`;
  }
  return '#/';
}

export const route = box<Route>(parseHash(location.hash));
window.addEventListener('hashchange', () => (route.value = parseHash(location.hash)));

export function go(r: Route): void {
  location.hash = href(r);
}
