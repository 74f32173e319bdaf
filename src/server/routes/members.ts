// Member routes: pair codes, joining, who am I, members, token rotation and revocation.

import type { Context, Hono } from 'hono';
import type { Env, RouteContext } from '../app.js';
import { idempotencyKey, readJson, readNoBody, refuseIdempotencyKey } from '../request.js';
import { authenticate } from '../web-auth.js';
import { DEFAULT_LABEL, createCodeBody, joinBody, localJoinBody } from '../schemas.js';

export function registerMemberRoutes(app: Hono<Env>, { hub, address }: RouteContext): void {
  const auth = (c: Context) => authenticate(hub, c);

  app.post('/v1/rooms/:room/codes', async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(
      c,
      'the code is never stored, so the result cannot be replayed. A retry makes another code; an unused code simply expires.',
    );
    const body = await readJson(c, createCodeBody);
    return c.json(
      await hub.members.createPairCode({ principal: p, room: c.req.param('room') }, body),
      201,
    );
  });

  app.post('/v1/join', async (c) => {
    refuseIdempotencyKey(
      c,
      'the new token is never stored, so the result cannot be replayed. A retry with the same code is refused with code_used.',
    );
    const body = await readJson(c, joinBody);
    return c.json(
      await hub.members.redeemPairCode(
        { address: address(c) },
        { code: body.code, label: body.label ?? DEFAULT_LABEL },
      ),
      201,
    );
  });

  app.post('/v1/local/join', async (c) => {
    refuseIdempotencyKey(
      c,
      'the new token is never stored, so the result cannot be replayed. A retry simply mints another member.',
    );
    const body = await readJson(c, localJoinBody);
    const joined = await hub.members.localJoin(
      { address: address(c) },
      { secret: body.secret, room: body.room, label: body.label ?? DEFAULT_LABEL },
    );
    return c.json(joined, 201);
  });

  app.get('/v1/rooms/:room/me', async (c) => {
    const p = await auth(c);
    return c.json(await hub.members.whoami({ principal: p, room: c.req.param('room') }));
  });

  app.get('/v1/rooms/:room/members', async (c) => {
    const p = await auth(c);
    return c.json(await hub.members.listMembers({ principal: p, room: c.req.param('room') }));
  });

  app.post('/v1/rooms/:room/rotate', async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(
      c,
      'the new token is never stored, so the result cannot be replayed, and the old token stops working at once. If the answer is lost, pair this device again.',
    );
    await readNoBody(c);
    return c.json(await hub.members.rotateToken({ principal: p, room: c.req.param('room') }));
  });

  app.delete('/v1/rooms/:room/members/:member', async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.members.revokeMember(
        { principal: p, room: c.req.param('room'), key: idempotencyKey(c) },
        { member_id: c.req.param('member') },
      ),
    );
  });
}
