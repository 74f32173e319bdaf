// huddle agent: registers this shell as an agent of the room, with its capabilities.

import { hostname } from 'node:os';
import type { Run } from '../registry.js';
import { stringFlag } from '../flags.js';
import { listFlag } from '../list-flag.js';

export const run: Run = async (ctx, [room, name], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const { agent } = await client.registerAgent(room!, {
    name: name!,
    client: (stringFlag(flags, 'client') ?? 'other') as never,
    model: stringFlag(flags, 'model') ?? null,
    host: hostname(),
    cwd: process.cwd(),
    tags: listFlag(flags.tags) ?? [],
    mcp_servers: listFlag(flags['mcp-servers']) ?? [],
  });
  const agents = [...(credential.agents ?? []).filter((a) => a !== agent.name), agent.name];
  ctx.credentials.put(ctx.config.url, room!, { ...credential, agents });
  ctx.print({ agent }, () => `Agent ${agent.name} is ${agent.status} in ${room}.\n`);
};
