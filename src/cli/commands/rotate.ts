// huddle rotate: replaces this machine's token for a room; the old one stops working at once.

import type { Run } from '../registry.js';

export const run: Run = async (ctx, [room]) => {
  const { client, credential } = ctx.forRoom(room!);
  const rotated = await client.rotate(room!);
  ctx.credentials.put(ctx.config.url, room!, {
    ...credential,
    token: rotated.token,
    saved_at: new Date().toISOString(),
  });
  ctx.print(
    { member: rotated.member },
    () =>
      `Rotated the token of ${rotated.member.label} in ${room}; the old token no longer works.\n`,
  );
};
