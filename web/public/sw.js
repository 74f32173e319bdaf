// The cockpit's service worker: keeps the app shell (index.html, hashed assets, icons) for
// offline start, NEVER answers /v1/ (API data is never served from a cache), and shows the
// hub's Web Push notifications, opening the cockpit at the thing each one names.

const SHELL = 'huddle-shell-v1';
const PRECACHE = ['/', '/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/icon-512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((c) => c.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  // The API and the stream always go to the network: nothing of theirs is ever cached.
  if (url.pathname.startsWith('/v1/') || url.pathname === '/healthz') return;
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change content: the cache first, the network once.
    event.respondWith(
      caches.open(SHELL).then(async (cache) => {
        const hit = await cache.match(req);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok) cache.put(req, res.clone());
        return res;
      }),
    );
    return;
  }
  if (req.mode === 'navigate') {
    // The newest index.html when the hub answers; the kept one only when it cannot be reached.
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) caches.open(SHELL).then((c) => c.put('/', res.clone()));
          return res;
        })
        .catch(() => caches.match('/').then((hit) => hit || Response.error())),
    );
  }
});

self.addEventListener('push', (event) => {
  let p = {};
  try {
    p = event.data ? event.data.json() : {};
  } catch {
    p = { body: event.data ? event.data.text() : '' };
  }
  const title = p.title || 'huddle';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: p.body || '',
      tag: p.tag || undefined,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      data: { url: typeof p.url === 'string' && p.url.startsWith('/') ? p.url : '/#/' },
      requireInteraction: p.kind === 'approval',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // Only a page of this cockpit: a URL that resolves elsewhere ("//host") opens the cockpit's home.
  let url = new URL(event.notification.data?.url || '/#/', self.location.origin);
  if (url.origin !== self.location.origin) url = new URL('/#/', self.location.origin);
  url = url.href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) {
        if (new URL(c.url).origin === self.location.origin && 'focus' in c) {
          return c
            .navigate(url)
            .then((w) => (w || c).focus())
            .catch(() => self.clients.openWindow(url));
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
