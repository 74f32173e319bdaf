// Approval routes: an agent asks a person to allow a tool call, waits for the answer, or withdraws
// the request; a person's member lists the requests and decides.

import type { Context, Hono } from 'hono';
import type { Env, RouteContext } from '../app.js';
import { queryInt, queryText, readJson, refuseIdempotencyKey } from '../request.js';
import { authenticate } from '../web-auth.js';
import { approvalCancelBody, approvalDecisionBody, approvalRequestBody } from '../schemas.js';

/** Why these writes take no Idempotency-Key. */
const NO_REPLAY =
  'a request is answered once, so a retried decision or cancellation is refused with approval_already_decided, naming the first.';

export function registerApprovalRoutes(app: Hono<Env>, { hub }: RouteContext): void {
  const auth = (c: Context) => authenticate(hub, c);
  const approvals = '/v1/rooms/:room/approvals';

  app.post('/v1/rooms/:room/agents/:agent/approvals', async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(c, 'each call asks a person anew; a failed call is simply asked again.');
    const body = await readJson(c, approvalRequestBody);
    const { room, agent } = c.req.param();
    return c.json(await hub.approvals.requestApproval({ principal: p, room, agent }, body), 201);
  });

  app.get(approvals, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.approvals.listApprovals(
        { principal: p, room: c.req.param('room') },
        {
          status: queryText(c, 'status', 20),
          limit: queryInt(c, 'limit'),
        },
      ),
    );
  });

  app.get(`${approvals}/:id`, async (c) => {
    const p = await auth(c);
    const { room, id } = c.req.param();
    return c.json(
      await hub.approvals.getApproval(
        { principal: p, room },
        { id, wait: queryInt(c, 'wait') },
        c.req.raw.signal,
      ),
    );
  });

  app.post(`${approvals}/:id/decision`, async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(c, NO_REPLAY);
    const body = await readJson(c, approvalDecisionBody);
    const { room, id } = c.req.param();
    return c.json(await hub.approvals.decideApproval({ principal: p, room }, { ...body, id }));
  });

  app.post(`${approvals}/:id/cancel`, async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(c, NO_REPLAY);
    const body = await readJson(c, approvalCancelBody);
    const { room, id } = c.req.param();
    return c.json(await hub.approvals.cancelApproval({ principal: p, room }, { ...body, id }));
  });
}
