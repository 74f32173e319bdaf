// Sends one Web Push message: the payload encrypted (aes128gcm) and the VAPID header signed by
// web-push, the request made here, so that it has one deadline and a loopback stand-in can take
// plain http.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { VapidKeys } from '../../core/push/push.js';
import type { PushSubscriptionRecord } from '../../core/store.js';

export interface PushMessage {
  subscription: PushSubscriptionRecord;
  payload: string;
  vapid: VapidKeys & { subject: string };
  /** How long the push service keeps it for a device that is offline. */
  ttlSeconds: number;
  urgency: 'normal' | 'high';
  /** The whole request, from connecting to the status line. */
  timeoutMs: number;
  signal?: AbortSignal;
}

type WebPush = typeof import('web-push');

/** web-push and its dependencies cost a hub's start about 100 ms: loaded on first use. */
export async function loadWebPush(): Promise<WebPush> {
  // A CommonJS module: its exports are the namespace's default.
  const mod = (await import('web-push')) as WebPush & { default?: WebPush };
  return mod.default ?? mod;
}

/** Resolves with the push service's HTTP status; rejects on a network error or the timeout. */
export async function sendPush(
  m: PushMessage,
): Promise<{ status: number; retryAfter: string | null }> {
  const webPush = await loadWebPush();
  const details = webPush.generateRequestDetails(
    {
      endpoint: m.subscription.endpoint,
      keys: { p256dh: m.subscription.p256dh, auth: m.subscription.auth },
    },
    m.payload,
    {
      vapidDetails: m.vapid,
      TTL: m.ttlSeconds,
      urgency: m.urgency,
      contentEncoding: 'aes128gcm',
    },
  );
  const url = new URL(details.endpoint);
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  // One deadline for the whole request, and the notifier's own abort when the hub shuts down.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('push timed out')), m.timeoutMs);
  const onStop = () => abort.abort(m.signal?.reason);
  if (m.signal?.aborted) onStop();
  else m.signal?.addEventListener('abort', onStop, { once: true });
  const done = () => {
    clearTimeout(timer);
    m.signal?.removeEventListener('abort', onStop);
  };
  return new Promise<{ status: number; retryAfter: string | null }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: details.method,
        headers: details.headers as Record<string, string | number>,
        signal: abort.signal,
      },
      (res) => {
        // The answer's body says nothing the status does not; it is read and dropped.
        res.resume();
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
          }),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(details.body ?? undefined);
  }).finally(done);
}
