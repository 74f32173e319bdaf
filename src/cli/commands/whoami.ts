// huddle whoami: which member this machine is in a room.

import type { Run } from '../registry.js';

export const run: Run = async (ctx, [room]) => {
  const { client } = ctx.forRoom(room!);
  const me = await client.whoami(room!);
  ctx.print(
    { ...me, hub: ctx.config.url },
    () =>
      `${me.member.label} (${me.member.id}) in room ${me.room.name} on ${ctx.config.url}; scopes: ${me.member.scopes.join(', ')}\n`,
  );
};
