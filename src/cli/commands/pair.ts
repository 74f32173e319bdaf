// huddle pair: makes a one-time code and says how to use it on another machine or in a browser.

import type { Scope } from '../../core/types.js';
import { isLoopbackHost } from '../../core/loopback.js';
import type { Run } from '../registry.js';
import { intFlag, stringFlag } from '../flags.js';
import { joinLink, qrText } from '../join-link.js';

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
  const link = joinLink(ctx.config.url, code.code);
  const qr = flags.qr === true ? await qrText(link) : undefined;
  const hubFlag = ctx.loaded.sources.url === 'default' ? '' : ` --hub ${ctx.config.url}`;
  const loopback = isLoopbackHost(new URL(ctx.config.url).hostname);
  ctx.print({ ...code, link }, () =>
    [
      `Pair code for ${code.room}: ${code.code}`,
      `  valid once, until ${code.expires_at}; scopes: ${code.scopes.join(', ')}`,
      'On the other machine run:',
      `  huddle join ${code.code}${hubFlag}`,
      'Or open this link in a browser to sign in to the cockpit:',
      `  ${link}`,
      ...(loopback
        ? [
            '  (this address works on this machine only; for a phone, serve the hub on your network',
            '   with --host and --public-url, and pair with --hub <its URL>)',
          ]
        : []),
      ...(qr ? ['', qr] : []),
      '',
    ].join('\n'),
  );
};
