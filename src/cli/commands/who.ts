// huddle who: the room's agents, their presence and what each can do.

import type { Run } from '../registry.js';
import { table } from '../render.js';

export const run: Run = async (ctx, [room]) => {
  const { client } = ctx.forRoom(room!);
  const { agents } = await client.agents(room!);
  ctx.print({ agents }, () =>
    agents.length === 0
      ? `No agents in ${room} yet. Register one with "huddle agent ${room} <name>".\n`
      : table([
          ['AGENT', 'STATUS', 'CLIENT', 'MODEL', 'HOST', 'LAST SEEN', 'TAGS'],
          ...agents.map((a) => [
            a.name,
            a.status,
            a.client,
            a.model ?? '-',
            a.host ?? '-',
            a.last_seen.slice(0, 19).replace('T', ' '),
            a.tags.join(',') || '-',
          ]),
        ]),
  );
};
