// huddle join: redeems a pair code and keeps the new member token on this machine.

import type { Run } from '../registry.js';
import { defaultLabel } from '../device-label.js';
import { credentialFor } from '../credentials.js';
import { stringFlag } from '../flags.js';

export const run: Run = async (ctx, [code], flags) => {
  const label = stringFlag(flags, 'label') ?? defaultLabel();
  const joined = await ctx.anonymous().join({ code: code!, label });
  ctx.credentials.put(ctx.config.url, joined.room.name, credentialFor(joined));
  ctx.print({ room: joined.room, member: joined.member }, () =>
    ctx.io.isTTY
      ? `Joined room ${joined.room.name} as ${joined.member.label} (scopes: ${joined.member.scopes.join(', ')}).\nNext: huddle read ${joined.room.name}\n`
      : `${joined.room.name}\n`,
  );
};
