// huddle token: prints this machine's token for a room, for a client that reads HUDDLE_TOKEN.

import type { Run } from '../registry.js';

export const run: Run = async (ctx, [room]) => {
  const { credential } = ctx.forRoom(room!);
  ctx.print({ room, token: credential.token }, () => `${credential.token}\n`);
};
