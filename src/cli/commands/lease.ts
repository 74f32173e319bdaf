// huddle lease: reserves paths or globs for one of this machine's agents, for a while.

import type { Run } from '../registry.js';
import { durationFlag } from '../duration.js';
import { stringFlag } from '../flags.js';

export const run: Run = async (ctx, [room, ...paths], flags) => {
  const ttl = durationFlag(flags, 'ttl');
  const reason = stringFlag(flags, 'reason');
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const answer = await client.lease(room!, agent, {
    paths,
    mode: flags.shared === true ? 'shared' : 'exclusive',
    ...(reason !== undefined && { reason }),
    ...(ttl !== undefined && { ttl_seconds: ttl }),
  });
  const l = answer.lease;
  ctx.print(
    answer,
    () =>
      `Leased ${l.paths.join(', ')} (${l.mode}) for ${l.agent} until ${l.expires_at}: ${l.id}.\n`,
  );
};
