// huddle devices: the members of a room, with their scopes and state.

import type { Run } from '../registry.js';
import { table } from '../render.js';

export const run: Run = async (ctx, [room]) => {
  const { client, credential } = ctx.forRoom(room!);
  const { members } = await client.members(room!);
  ctx.print({ members }, () =>
    table([
      ['ID', 'LABEL', 'SCOPES', 'JOINED', 'STATE'],
      ...members.map((m) => [
        m.id,
        m.label,
        m.scopes.join(','),
        m.created_at.slice(0, 19).replace('T', ' '),
        m.revoked_at
          ? `revoked ${m.revoked_at.slice(0, 19).replace('T', ' ')}`
          : m.id === credential.member_id
            ? 'active (this machine)'
            : 'active',
      ]),
    ]),
  );
};
