// huddle ack: closes messages in the agent's inbox, some or all.

import type { Run } from '../registry.js';
import { usageError } from '../cli-error.js';

export const run: Run = async (ctx, [room, ...ids], flags) => {
  if ((ids.length === 0) === (flags.all !== true))
    throw usageError('Give message ids, or --all (not both).');
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const { acked } = await client.ack(room!, agent, flags.all === true ? 'all' : ids);
  ctx.print(
    { acked },
    () => `Acked ${acked.length} message${acked.length === 1 ? '' : 's'} for ${agent}.\n`,
  );
};
