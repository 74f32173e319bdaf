// huddle read: the room's checkpoint and its most recent events.

import type { Run } from '../registry.js';
import { intFlag } from '../flags.js';
import { renderCheckpoint, renderEvent } from '../render.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client } = ctx.forRoom(room!);
  const data = await client.read(room!, intFlag(flags, 'limit'));
  ctx.print(data, () =>
    [
      `# ${data.room.name} (cursor ${data.cursor})`,
      '',
      renderCheckpoint(data.checkpoint),
      `## Recent events`,
      '',
      ...data.events.map(renderEvent),
      // The hub reads the newest events, so the room rarely has newer ones than these.
      data.room.last_seq > data.cursor
        ? `Newer events: huddle history ${data.room.name} --after ${data.cursor}`
        : `No newer events; for later ones: huddle history ${data.room.name} --after ${data.cursor}`,
      '',
    ].join('\n'),
  );
};
