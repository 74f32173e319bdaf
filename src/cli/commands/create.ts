// huddle create: creates a room and keeps its admin token on this machine.

import type { Run } from '../registry.js';
import { defaultLabel } from '../device-label.js';
import { credentialFor } from '../credentials.js';
import { stringFlag } from '../flags.js';

export const run: Run = async (ctx, args, flags) => {
  const label = stringFlag(flags, 'label') ?? defaultLabel();
  const created = await ctx
    .anonymous()
    .createRoom({ name: args[0], label, create_secret: ctx.config.create_secret });
  ctx.credentials.put(ctx.config.url, created.room.name, credentialFor(created));
  ctx.print({ room: created.room, member: created.member }, () =>
    ctx.io.isTTY
      ? `Created room ${created.room.name}; you are its admin (${created.member.label}).\nNext: huddle pair ${created.room.name}   # a code for another machine\n`
      : `${created.room.name}\n`,
  );
};
