// Task board routes: add, plan, list (board and ready), get, update, and the status steps.

import type { Context, Hono } from 'hono';
import type { Call } from '../../core/call.js';
import type { Principal } from '../../core/hub.js';
import type { Env, RouteContext } from '../app.js';
import { idempotencyKey, queryFlag, queryList, queryText, readJson } from '../request.js';
import { authenticate } from '../web-auth.js';
import {
  addTaskBody,
  agentBody,
  handoffBody,
  planBody,
  taskStepBody,
  unclaimBody,
  updateTaskBody,
} from '../schemas.js';

const STEPS = {
  claim: 'claimTask',
  start: 'startTask',
} as const;

export function registerTaskRoutes(app: Hono<Env>, { hub }: RouteContext): void {
  const auth = (c: Context) => authenticate(hub, c);
  /** The call context of a request: the caller, the room, the agent it acts as, its key. */
  const call = (principal: Principal, room: string, agent: string, c: Context): Call => ({
    principal,
    room,
    agent,
    key: idempotencyKey(c),
  });
  const tasks = '/v1/rooms/:room/tasks';

  app.get(tasks, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.tasks.listTasks(
        { principal: p, room: c.req.param('room') },
        {
          ready: queryFlag(c, 'ready'),
          statuses: queryList(c, 'status'),
          assignee: queryText(c, 'assignee', 100),
        },
      ),
    );
  });

  app.post(tasks, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, addTaskBody);
    return c.json(await hub.tasks.addTask(call(p, c.req.param('room'), agent, c), input), 201);
  });

  app.post(`${tasks}/plan`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, planBody);
    return c.json(
      await hub.tasks.planTasks(call(p, c.req.param('room'), body.agent, c), body.tasks),
      201,
    );
  });

  app.get(`${tasks}/:id`, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.tasks.getTask({ principal: p, room: c.req.param('room') }, c.req.param('id')),
    );
  });

  app.patch(`${tasks}/:id`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, updateTaskBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.updateTask(call(p, room, agent, c), { ...input, id }));
  });

  for (const [step, method] of Object.entries(STEPS)) {
    app.post(`${tasks}/:id/${step}`, async (c) => {
      const p = await auth(c);
      const body = await readJson(c, agentBody);
      const { room, id } = c.req.param();
      return c.json(await hub.tasks[method](call(p, room, body.agent, c), { id }));
    });
  }

  app.post(`${tasks}/:id/unclaim`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, unclaimBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.unclaimTask(call(p, room, agent, c), { ...input, id }));
  });

  app.post(`${tasks}/:id/done`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, taskStepBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.finishTask(call(p, room, agent, c), { ...input, id }));
  });

  app.post(`${tasks}/:id/cancel`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, taskStepBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.cancelTask(call(p, room, agent, c), { ...input, id }));
  });

  app.post(`${tasks}/:id/handoff`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, handoffBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.handoffTask(call(p, room, agent, c), { ...input, id }));
  });
}
