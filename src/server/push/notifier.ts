// The push notifier: follows the committed events of every room that has push subscriptions, asks
// the Hub whom each one concerns, and sends the notifications off the write path: queued, a few
// at a time, each with a deadline, a failed one retried once, a subscription the push service
// forgot (404, 410) deleted. Logs name a push service by its origin only, never an endpoint.

import type { Hub } from '../../core/hub.js';
import type { PushDelivery, VapidKeys } from '../../core/push/push.js';
import type { Logger } from '../logger.js';
import { loadWebPush, sendPush } from './push-sender.js';

export interface PushNotifierOptions {
  /** The VAPID `sub` claim: a mailto: or https: contact for the push services. */
  subject: string;
  /** Pushes in flight at once. */
  concurrency?: number;
  /** Each push's deadline. */
  timeoutMs?: number;
  /** The wait before the one retry, when the push service gives no Retry-After. */
  retryDelayMs?: number;
  /** Notifications waiting past this many are dropped (and logged), so memory stays bounded. */
  maxQueue?: number;
  /** How long a push service keeps a notification for an offline device. */
  ttlSeconds?: number;
}

export interface PushNotifier {
  /** The hub's VAPID public key (base64url), made on first need. */
  publicKey(): Promise<string>;
  /** Follows a room's events from its current head (a no-op when it is followed already). */
  follow(roomId: string): Promise<void>;
  /** Follows every room that has subscriptions; called once at start. */
  start(): Promise<void>;
  /** Resolves when nothing is being read, queued, sent or waiting for its retry. */
  idle(): Promise<void>;
  /** Stops following, drops what is queued, and ends the pushes in flight. */
  close(): Promise<void>;
}

const PAGE = 256;
const MAX_RETRY_AFTER_MS = 60_000;

interface Job {
  delivery: PushDelivery;
  attempt: number;
}

interface Followed {
  cursor: number;
  pumping: boolean;
  again: boolean;
  unsubscribe: () => void;
}

export function createPushNotifier(
  hub: Hub,
  options: PushNotifierOptions,
  logger: Logger,
): PushNotifier {
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const maxQueue = options.maxQueue ?? 1_000;
  const ttlSeconds = options.ttlSeconds ?? 24 * 3600;

  let keys: Promise<VapidKeys> | undefined;
  const vapidKeys = () =>
    (keys ??= loadWebPush()
      .then((webPush) => hub.push.vapidKeys(() => webPush.generateVAPIDKeys()))
      .catch((err: unknown) => {
        keys = undefined;
        throw err;
      }));

  const rooms = new Map<string, Followed>();
  const queue: Job[] = [];
  const retries = new Set<NodeJS.Timeout>();
  const aborter = new AbortController();
  let active = 0;
  let closed = false;
  let waiters: Array<() => void> = [];

  const busy = () =>
    active > 0 ||
    queue.length > 0 ||
    retries.size > 0 ||
    [...rooms.values()].some((r) => r.pumping);
  function settle(): void {
    if (busy()) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  const origin = (endpoint: string) => new URL(endpoint).origin;

  function enqueue(job: Job): void {
    if (closed) return;
    if (queue.length >= maxQueue) {
      logger.warn('push queue full; notification dropped', {
        room: job.delivery.notification.room,
        kind: job.delivery.notification.kind,
      });
      return;
    }
    queue.push(job);
    drain();
  }

  function drain(): void {
    while (!closed && active < concurrency && queue.length > 0) {
      const job = queue.shift()!;
      active++;
      void send(job).finally(() => {
        active--;
        drain();
        settle();
      });
    }
  }

  function retryLater(job: Job, retryAfter: string | null): void {
    const seconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
    const wait = seconds === null ? retryDelayMs : Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
    const timer = setTimeout(() => {
      retries.delete(timer);
      enqueue({ ...job, attempt: job.attempt + 1 });
      settle();
    }, wait);
    timer.unref();
    retries.add(timer);
  }

  async function send(job: Job): Promise<void> {
    const { subscription, notification } = job.delivery;
    const where = { service: origin(subscription.endpoint), kind: notification.kind };
    try {
      const vapid = { ...(await vapidKeys()), subject: options.subject };
      const { status, retryAfter } = await sendPush({
        subscription,
        payload: JSON.stringify(notification),
        vapid,
        ttlSeconds,
        urgency: notification.kind === 'waiting' ? 'normal' : 'high',
        timeoutMs,
        signal: aborter.signal,
      });
      if (status >= 200 && status < 300) return;
      if (status === 404 || status === 410) {
        await hub.push.dropPushSubscription(subscription);
        logger.info('push subscription gone; deleted', { ...where, status });
        return;
      }
      if ((status === 429 || status >= 500) && job.attempt === 0) {
        retryLater(job, retryAfter);
        return;
      }
      logger.warn('push refused', { ...where, status, attempt: job.attempt + 1 });
    } catch (err) {
      if (closed) return;
      if (job.attempt === 0) {
        retryLater(job, null);
        return;
      }
      // A code or a name, never the message: it could quote the endpoint.
      const error = (err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'Error';
      logger.warn('push failed', { ...where, error });
    }
  }

  /** Reads what the room committed since the cursor, in order, once at a time. */
  async function pump(roomId: string, room: Followed): Promise<void> {
    if (room.pumping) {
      room.again = true;
      return;
    }
    room.pumping = true;
    try {
      do {
        room.again = false;
        for (let page = 0; ; page++) {
          if (closed || rooms.get(roomId) !== room) return;
          const events = await hub.stream.readEvents(roomId, room.cursor, PAGE);
          for (const event of events) {
            if (event.seq <= room.cursor) continue;
            room.cursor = event.seq;
            for (const delivery of await hub.push.pushDeliveries(roomId, event))
              enqueue({ delivery, attempt: 0 });
          }
          // A notice that brought nothing new may say the room was deleted.
          if (page === 0 && events.length === 0 && !(await hub.stream.roomExists(roomId))) {
            unfollow(roomId);
            return;
          }
          if (events.length < PAGE) break;
        }
      } while (room.again);
    } catch (err) {
      logger.warn('push notifier could not read a room', { error: String(err) });
    } finally {
      room.pumping = false;
      settle();
    }
  }

  function unfollow(roomId: string): void {
    rooms.get(roomId)?.unsubscribe();
    rooms.delete(roomId);
  }

  const notifier: PushNotifier = {
    async publicKey() {
      return (await vapidKeys()).publicKey;
    },

    async follow(roomId) {
      if (closed || rooms.has(roomId)) return;
      const room: Followed = { cursor: 0, pumping: true, again: false, unsubscribe: () => {} };
      rooms.set(roomId, room);
      room.unsubscribe = hub.stream.onRoomEvent(roomId, () => void pump(roomId, room));
      try {
        room.cursor = await hub.stream.roomHead(roomId);
      } finally {
        room.pumping = false;
      }
      // Whatever was committed while the head was read.
      if (room.again) await pump(roomId, room);
      settle();
    },

    async start() {
      for (const roomId of await hub.push.pushRoomIds()) await notifier.follow(roomId);
    },

    idle() {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },

    async close() {
      closed = true;
      for (const roomId of [...rooms.keys()]) unfollow(roomId);
      queue.length = 0;
      for (const timer of retries) clearTimeout(timer);
      retries.clear();
      aborter.abort();
      settle();
      await notifier.idle();
    },
  };
  return notifier;
}
