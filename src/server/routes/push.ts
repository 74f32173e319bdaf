// Web Push routes: the hub's public VAPID key, and a person's push subscriptions in a room.

import type { Context, Hono } from 'hono';
import type { Env, RouteContext } from '../app.js';
import type { PushNotifier } from '../push/notifier.js';
import { readJson, refuseIdempotencyKey } from '../request.js';
import { pushSubscribeBody, pushUnsubscribeBody } from '../schemas.js';
import { authenticate } from '../web-auth.js';

export function registerPushRoutes(
  app: Hono<Env>,
  { hub }: RouteContext,
  push: Pick<PushNotifier, 'publicKey' | 'follow'>,
): void {
  const auth = (c: Context) => authenticate(hub, c);
  const noReplay =
    'subscribing and unsubscribing are already safe to repeat: the same endpoint is stored once.';

  // The applicationServerKey a browser subscribes with; the private key never leaves the hub.
  app.get('/v1/push/key', async (c) => c.json({ public_key: await push.publicKey() }));

  app.put('/v1/rooms/:room/push', async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(c, noReplay);
    const body = await readJson(c, pushSubscribeBody);
    const { room_id } = await hub.push.subscribePush(
      { principal: p, room: c.req.param('room') },
      body,
    );
    // Followed before the answer, so an event right after it is not missed.
    await push.follow(room_id);
    return c.json({ subscribed: true });
  });

  app.delete('/v1/rooms/:room/push', async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(c, noReplay);
    const body = await readJson(c, pushUnsubscribeBody);
    return c.json(
      await hub.push.unsubscribePush({ principal: p, room: c.req.param('room') }, body.endpoint),
    );
  });

  app.get('/v1/rooms/:room/push', async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.push.listPushSubscriptions({ principal: p, room: c.req.param('room') }),
    );
  });
}
