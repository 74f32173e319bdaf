// Task board routes: add, plan, list (board and ready), get, update, and the status steps.

import type { Context, Hono } from 'hono';
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
  const tasks = '/v1/rooms/:room/tasks';

  app.get(tasks, async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.tasks.listTasks(p, c.req.param('room'), {
        ready: queryFlag(c, 'ready'),
        statuses: queryList(c, 'status'),
        assignee: queryText(c, 'assignee', 100),
      }),
    );
  });

  app.post(tasks, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, addTaskBody);
    return c.json(
      await hub.tasks.addTask(p, c.req.param('room'), agent, input, idempotencyKey(c)),
      201,
    );
  });

  app.post(`${tasks}/plan`, async (c) => {
    const p = await auth(c);
    const body = await readJson(c, planBody);
    return c.json(
      await hub.tasks.planTasks(p, c.req.param('room'), body.agent, body.tasks, idempotencyKey(c)),
      201,
    );
  });

  app.get(`${tasks}/:id`, async (c) => {
    const p = await auth(c);
    return c.json(await hub.tasks.getTask(p, c.req.param('room'), c.req.param('id')));
  });

  app.patch(`${tasks}/:id`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, updateTaskBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.updateTask(p, room, agent, id, input, idempotencyKey(c)));
  });

  for (const [step, method] of Object.entries(STEPS)) {
    app.post(`${tasks}/:id/${step}`, async (c) => {
      const p = await auth(c);
      const body = await readJson(c, agentBody);
      const { room, id } = c.req.param();
      return c.json(await hub.tasks[method](p, room, body.agent, id, idempotencyKey(c)));
    });
  }

  app.post(`${tasks}/:id/unclaim`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, unclaimBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.unclaimTask(p, room, agent, id, input, idempotencyKey(c)));
  });

  app.post(`${tasks}/:id/done`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, taskStepBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.finishTask(p, room, agent, id, input, idempotencyKey(c)));
  });

  app.post(`${tasks}/:id/cancel`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, taskStepBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.cancelTask(p, room, agent, id, input, idempotencyKey(c)));
  });

  app.post(`${tasks}/:id/handoff`, async (c) => {
    const p = await auth(c);
    const { agent, ...input } = await readJson(c, handoffBody);
    const { room, id } = c.req.param();
    return c.json(await hub.tasks.handoffTask(p, room, agent, id, input, idempotencyKey(c)));
  });
}
