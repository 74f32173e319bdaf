// Room routes: create, read, history, notes, checkpoint, export and delete.

import type { Context, Hono } from 'hono';
import { describeExportFormat, exportResponse } from '../export-response.js';
import type { Env, RouteContext } from '../app.js';
import {
  idempotencyKey,
  queryInt,
  readJson,
  readNoBody,
  refuseIdempotencyKey,
} from '../request.js';
import { authenticate } from '../web-auth.js';
import { DEFAULT_LABEL, checkpointBody, createRoomBody, noteBody } from '../schemas.js';

export function registerRoomRoutes(app: Hono<Env>, { hub, address }: RouteContext): void {
  const auth = (c: Context) => authenticate(hub, c);

  app.post('/v1/rooms', async (c) => {
    refuseIdempotencyKey(
      c,
      "the room's admin token is never stored, so the result cannot be replayed. Retrying with the same name is refused with room_exists; without a name, a retry makes another room.",
    );
    const body = await readJson(c, createRoomBody);
    const created = await hub.rooms.createRoom(
      { address: address(c) },
      {
        name: body.name,
        label: body.label ?? DEFAULT_LABEL,
        create_secret: body.create_secret ?? c.req.header('x-huddle-create-secret'),
      },
    );
    return c.json(created, 201);
  });

  app.get('/v1/rooms/:room', async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.rooms.read(
        { principal: p, room: c.req.param('room') },
        { limit: queryInt(c, 'limit') },
      ),
    );
  });

  app.get('/v1/rooms/:room/events', async (c) => {
    const p = await auth(c);
    return c.json(
      await hub.rooms.history(
        { principal: p, room: c.req.param('room') },
        {
          after: queryInt(c, 'after'),
          limit: queryInt(c, 'limit'),
          wait: queryInt(c, 'wait'),
        },
      ),
    );
  });

  app.post('/v1/rooms/:room/notes', async (c) => {
    const p = await auth(c);
    const body = await readJson(c, noteBody);
    return c.json(
      await hub.rooms.writeNote(
        { principal: p, room: c.req.param('room'), key: idempotencyKey(c) },
        body,
      ),
      201,
    );
  });

  app.get('/v1/rooms/:room/checkpoint', async (c) => {
    const p = await auth(c);
    return c.json(await hub.rooms.getCheckpoint({ principal: p, room: c.req.param('room') }));
  });

  app.put('/v1/rooms/:room/checkpoint', async (c) => {
    const p = await auth(c);
    const body = await readJson(c, checkpointBody);
    return c.json(
      await hub.rooms.setCheckpoint(
        { principal: p, room: c.req.param('room'), key: idempotencyKey(c) },
        body,
      ),
    );
  });

  app.get('/v1/rooms/:room/export', async (c) => {
    const p = await auth(c);
    const format = describeExportFormat(c.req.query('format'));
    return exportResponse(
      await hub.rooms.exportRoom({ principal: p, room: c.req.param('room') }),
      format,
    );
  });

  app.delete('/v1/rooms/:room', async (c) => {
    const p = await auth(c);
    refuseIdempotencyKey(
      c,
      "the room's records go with it. A repeated delete is answered 401 unknown_token, because the token went with the room.",
    );
    await readNoBody(c);
    return c.json(await hub.rooms.deleteRoom({ principal: p, room: c.req.param('room') }));
  });
}
