// huddle pair: makes a one-time code and says how to use it on the other machine.

import type { Scope } from '../../core/types.js';
import type { Run } from '../registry.js';
import { intFlag, stringFlag } from '../flags.js';

export const run: Run = async (ctx, [room], flags) => {
  const { client } = ctx.forRoom(room!);
  const scopes = stringFlag(flags, 'scopes')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) as Scope[] | undefined;
  const ttl = intFlag(flags, 'ttl');
  const code = await client.createCode(room!, {
    ...(scopes && { scopes }),
    ...(ttl !== undefined && { ttl_seconds: ttl }),
  });
  const hubFlag = ctx.loaded.sources.url === 'default' ? '' : ` --hub ${ctx.config.url}`;
  ctx.print(code, () =>
    [
      `Pair code for ${code.room}: ${code.code}`,
      `  valid once, until ${code.expires_at}; scopes: ${code.scopes.join(', ')}`,
      'On the other machine run:',
      `  huddle join ${code.code}${hubFlag}`,
      '',
    ].join('\n'),
  );
};
