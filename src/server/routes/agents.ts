// Agent routes: registration, presence, sending and replying, the inbox, and receipts.

import type { Context, Hono } from 'hono';
import type { Env, RouteContext } from '../app.js';
import { idempotencyKey, queryFlag, queryInt, readJson, readNoBody } from '../request.js';
import { authenticate } from '../web-auth.js';
import {
  ackBody,
  heartbeatBody,
  idsBody,
  injectBody,
  readInboxBody,
  registerAgentBody,
  replyBody,
  sendBody,
  sessionBody,
  shareBody,
} from '../schemas.js';

export function registerAgentRoutes(app: Hono<Env>, { hub }: RouteContext): void {
  const auth = (c: Context) => authenticate(hub, c);
  const agentPath = '/v1/rooms/:room/agents/:agent';

  app.post('/v1/rooms/:room/agents', async (c) => {
    const p = await auth(c);
    const body = await readJson(c, registerAgentBody);
    return c.json(
      await hub.presence.registerAgent({ principal: p, room: c.req.param('room') }, body),
      201,
    );
  });

  app.get('/v1/rooms/:room/agents', async (c) => {
    const p = await auth(c);
    return c.json(await hub.presence.listAgents({ principal: p, room: c.req.param('room') }));
  });

  app.post(`${agentPath}/heartbeat`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, heartbeatBody);
    return c.json(
      await hub.presence.heartbeat(
        { principal: p, room: c.req.param('room'), agent: c.req.param('agent') },
        body,
      ),
    );
  });

  app.delete(agentPath, async (c) => {
    const p = await auth(c);
    await readNoBody(c);
    return c.json(
      await hub.presence.retireAgent(
        { principal: p, room: c.req.param('room') },
        c.req.param('agent'),
      ),
    );
  });

  app.post(`${agentPath}/messages`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, sendBody);
    return c.json(
      await hub.messaging.sendMessage(
        {
          principal: p,
          room: c.req.param('room'),
          agent: c.req.param('agent'),
          key: idempotencyKey(c),
        },
        body,
      ),
      201,
    );
  });

  app.post(`${agentPath}/shares`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, shareBody);
    const { room, agent } = c.req.param();
    return c.json(
      await hub.messaging.shareSnippet({ principal: p, room, agent, key: idempotencyKey(c) }, body),
      201,
    );
  });

  app.post(`${agentPath}/messages/:id/reply`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, replyBody);
    const { room, agent, id } = c.req.param();
    return c.json(
      await hub.messaging.reply({ principal: p, room, agent, key: idempotencyKey(c) }, id, body),
      201,
    );
  });

  app.get(`${agentPath}/inbox`, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.messaging.peekInbox(
        { principal: p, room: c.req.param('room'), agent: c.req.param('agent') },
        {
          limit: queryInt(c, 'limit'),
          all: queryFlag(c, 'all'),
          wait: queryInt(c, 'wait'),
        },
      ),
    );
  });

  app.post(`${agentPath}/inbox/read`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, readInboxBody);
    return c.json(
      await hub.messaging.readInbox(
        { principal: p, room: c.req.param('room'), agent: c.req.param('agent') },
        body,
      ),
    );
  });

  app.post(`${agentPath}/inbox/ack`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, ackBody);
    return c.json(
      await hub.messaging.ackMessages(
        { principal: p, room: c.req.param('room'), agent: c.req.param('agent') },
        body.ids ?? 'all',
      ),
    );
  });

  app.post(`${agentPath}/inbox/injected`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, idsBody);
    return c.json(
      await hub.messaging.markInjected(
        { principal: p, room: c.req.param('room'), agent: c.req.param('agent') },
        body.ids,
      ),
    );
  });

  app.post(`${agentPath}/inbox/inject`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, injectBody);
    const { room, agent } = c.req.param();
    return c.json(
      await hub.messaging.injectInbox({ principal: p, room, agent }, body, c.req.raw.signal),
    );
  });

  app.post(`${agentPath}/sessions`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, sessionBody);
    return c.json(
      await hub.sessions.startSession(
        { principal: p, room: c.req.param('room'), agent: c.req.param('agent') },
        body,
      ),
      201,
    );
  });

  app.get(`${agentPath}/digest`, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.sessions.agentDigest({
        principal: p,
        room: c.req.param('room'),
        agent: c.req.param('agent'),
      }),
    );
  });

  app.get('/v1/rooms/:room/messages/:id/receipts', async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.messaging.receipts({ principal: p, room: c.req.param('room') }, c.req.param('id')),
    );
  });
}
