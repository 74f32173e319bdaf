// Notifications: per room on or off, with a Web Push subscription made with the hub's VAPID key
// and registered in (or removed from) each room through the push routes.

import { useBox } from '../box.js';
import { useEffect, useState } from 'preact/hooks';
import { api, roomPath } from '../api.js';
import { errorText, roomList, version } from '../store.js';
import { ErrorLine } from './bits.js';

function keyBytes(b64url: string): Uint8Array {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function subscription(create: boolean): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.ready;
  const cur = await reg.pushManager.getSubscription();
  if (cur || !create) return cur;
  const { public_key } = await api<{ public_key: string }>('GET', '/v1/push/key');
  return reg.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(public_key) as BufferSource,
  });
}

function endpointsOf(r: unknown): string[] {
  const list = (r as { subscriptions?: unknown[] }).subscriptions ?? [];
  return list.map((x) =>
    typeof x === 'string' ? x : String((x as { endpoint: string }).endpoint),
  );
}

export function Notifications() {
  useBox(version);
  const supported = 'serviceWorker' in navigator && 'PushManager' in window;
  const [on, setOn] = useState<Record<string, boolean>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const rooms = roomList();

  useEffect(() => {
    if (!supported) return;
    (async () => {
      const sub = await subscription(false);
      const state: Record<string, boolean> = {};
      for (const s of rooms) {
        const r = await api<unknown>('GET', roomPath(s.name, '/push')).catch(() => null);
        state[s.name] = !!sub && !!r && endpointsOf(r).includes(sub.endpoint);
      }
      setOn(state);
    })().catch((e) => setError(errorText(e)));
  }, [rooms.map((r) => r.name).join(',')]);

  const toggle = async (room: string, want: boolean) => {
    setBusy(room);
    setError('');
    try {
      if (want) {
        if (
          Notification.permission !== 'granted' &&
          (await Notification.requestPermission()) !== 'granted'
        )
          throw new Error('Notifications are blocked for this site in the browser settings.');
        const sub = (await subscription(true))!;
        const j = sub.toJSON();
        await api('PUT', roomPath(room, '/push'), { endpoint: j.endpoint, keys: j.keys });
      } else {
        const sub = await subscription(false);
        if (sub) await api('DELETE', roomPath(room, '/push'), { endpoint: sub.endpoint });
      }
      setOn({ ...on, [room]: want });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy('');
    }
  };

  return (
    <section aria-labelledby="notif-h">
      <h1 id="notif-h">Notifications</h1>
      <p class="muted">
        Get a notification when an agent waits for you, asks for a permission, or messages you.
      </p>
      {!supported && <p class="error">This browser cannot receive push notifications.</p>}
      <ul class="plain">
        {rooms.map((s) => (
          <li key={s.name} class="card row spread">
            <label class="check">
              <input
                type="checkbox"
                disabled={!supported || busy === s.name}
                checked={!!on[s.name]}
                onChange={(e) => toggle(s.name, (e.target as HTMLInputElement).checked)}
              />
              Notify me about <strong>{s.name}</strong>
            </label>
          </li>
        ))}
      </ul>
      <ErrorLine text={error} />
    </section>
  );
}
