// Shared variables, file leases and the activity log of a room.

import type { Context, Hono } from 'hono';
import type { Env, RouteContext } from '../app.js';
import { idempotencyKey, queryInt, queryList, queryText, readJson } from '../request.js';
import { authenticate } from '../web-auth.js';
import {
  deleteVariableBody,
  leaseBody,
  releaseBody,
  renewBody,
  setVariableBody,
} from '../schemas.js';

export function registerCoordinationRoutes(app: Hono<Env>, { hub }: RouteContext): void {
  const auth = (c: Context) => authenticate(hub, c);
  const vars = '/v1/rooms/:room/vars';
  const leases = '/v1/rooms/:room/leases';

  app.get(vars, async (c) => {
    const p = await auth(c);
    return c.json(await hub.variables.listVariables({ principal: p, room: c.req.param('room') }));
  });

  app.get(`${vars}/:key`, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.variables.getVariable(
        { principal: p, room: c.req.param('room') },
        c.req.param('key'),
      ),
    );
  });

  app.put(`${vars}/:key`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, setVariableBody);
    const { room, key } = c.req.param();
    return c.json(
      await hub.variables.setVariable(
        { principal: p, room, key: idempotencyKey(c) },
        { ...body, key },
      ),
    );
  });

  app.delete(`${vars}/:key`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, deleteVariableBody);
    const { room, key } = c.req.param();
    return c.json(await hub.variables.deleteVariable({ principal: p, room }, { ...body, key }));
  });

  app.get(leases, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.leases.listLeases(
        { principal: p, room: c.req.param('room') },
        {
          agent: queryText(c, 'agent', 100),
          path: queryText(c, 'path'),
        },
      ),
    );
  });

  app.post(leases, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, leaseBody);
    return c.json(
      await hub.leases.acquireLease(
        { principal: p, room: c.req.param('room'), agent, key: idempotencyKey(c) },
        input,
      ),
      201,
    );
  });

  app.post(`${leases}/release`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, releaseBody);
    return c.json(
      await hub.leases.releaseLeases({ principal: p, room: c.req.param('room'), agent }, input),
    );
  });

  app.post(`${leases}/renew`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, renewBody);
    return c.json(
      await hub.leases.renewLeases({ principal: p, room: c.req.param('room'), agent }, input),
    );
  });

  app.get('/v1/rooms/:room/activity', async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.rooms.activity(
        { principal: p, room: c.req.param('room') },
        {
          after: queryInt(c, 'after'),
          limit: queryInt(c, 'limit'),
          types: queryList(c, 'type'),
          since: queryText(c, 'since', 64),
          actor: queryText(c, 'actor', 100),
        },
      ),
    );
  });
}
