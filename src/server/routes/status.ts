// The hub's status route: version and uptime for anyone; its process, store, rooms and agents
// online for a caller on this machine that sends the local secret.

import type { Hono } from 'hono';
import type { Env, RouteContext } from '../app.js';

export const LOCAL_SECRET_HEADER = 'x-huddle-local-secret';

export function registerStatusRoute(app: Hono<Env>, { hub, address }: RouteContext): void {
  app.get('/v1/status', async (c) =>
    c.json(await hub.operations.status({ address: address(c) }, c.req.header(LOCAL_SECRET_HEADER))),
  );
}
