// huddle rooms: the rooms this machine holds tokens for, on every hub it knows.

import type { Run } from '../registry.js';
import { table } from '../render.js';

export const run: Run = async (ctx) => {
  const entries = ctx.credentials.list();
  const rooms = entries.map(({ hub, room, credential }) => ({
    hub,
    room,
    label: credential.label,
    member_id: credential.member_id,
    scopes: credential.scopes,
  }));
  ctx.print({ rooms }, () =>
    rooms.length === 0
      ? 'This machine holds no room tokens yet. Create a room with "huddle create", or join one with "huddle join <code>".\n'
      : table([
          ['ROOM', 'HUB', 'LABEL', 'SCOPES'],
          ...rooms.map((r) => [r.room, r.hub, r.label, r.scopes.join(',')]),
        ]),
  );
};
