// huddle release: ends leases of one of this machine's agents, named by id or by path as leased.

import type { Run } from '../registry.js';
import { overrideAside } from '../../core/overrides.js';
import { usageError } from '../cli-error.js';

const LEASE_ID = /^L-[0-9a-z]{6}$/;

export const run: Run = async (ctx, [room, ...targets], flags) => {
  const ids = targets.filter((t) => LEASE_ID.test(t));
  if (ids.length > 0 && ids.length < targets.length)
    throw usageError('Give lease ids or leased paths, not both in one release.');
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const answer = await client.release(room!, agent, {
    ...(ids.length > 0 ? { ids } : { paths: targets }),
    ...(flags.force === true && { force: true }),
  });
  const released = answer.released.map((l) => `${l.id} (${l.paths.join(', ')})`).join(', ');
  ctx.print(answer, () => `Released ${released}${overrideAside(answer.event)}.\n`);
};
