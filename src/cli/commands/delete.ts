// huddle delete: deletes a room and everything in it, after a confirmation.

import type { Run } from '../registry.js';
import { CliError, usageError } from '../cli-error.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client } = ctx.forRoom(room!);
  if (flags.yes !== true) {
    if (!ctx.io.isTTY)
      throw usageError(`Deleting ${room} cannot be undone; pass --yes to confirm.`);
    const answer = await ctx.io.prompt(
      `Delete room ${room} and everything in it? Type its name to confirm: `,
    );
    if (answer.trim() !== room) throw new CliError('Not deleted.');
  }
  const result = await client.deleteRoom(room!);
  ctx.credentials.remove(ctx.config.url, room!);
  ctx.print(result, () => `Deleted room ${result.deleted}.\n`);
};
