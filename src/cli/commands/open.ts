// huddle open: opens the local hub's cockpit in a browser, already signed in, through a one-time
// link (valid for seconds) that only a holder of the local secret can make.

import { CliError } from '../cli-error.js';
import { readLocalSecret, usesLocalHub } from '../local-hub.js';
import type { Run } from '../registry.js';

/** The platform's way to open a URL, without a shell. */
function opener(platform: NodeJS.Platform): [string, string[]] {
  if (platform === 'darwin') return ['open', []];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler']];
  return ['xdg-open', []];
}

export const run: Run = async (ctx, [room], flags) => {
  if (!usesLocalHub(ctx)) {
    throw new CliError(
      `huddle open signs in to the local hub only. For ${ctx.config.url}, make a code with "huddle pair <room>" and open its join link.`,
    );
  }
  const secret = readLocalSecret(ctx.config.home);
  if (secret === undefined) {
    throw new CliError(
      `No local secret in ${ctx.config.home}: is the local hub's HUDDLE_HOME the same as this one?`,
    );
  }
  const { ticket, expires_at } = await ctx.anonymous().webTicket({ secret });
  const base = ctx.config.url.replace(/\/+$/, '');
  const link = `${base}/open#t=${ticket}${room ? `&room=${encodeURIComponent(room)}` : ''}`;
  let opened = false;
  if (flags.print !== true) {
    const [command, args] = opener(process.platform);
    const { spawn } = await import('node:child_process');
    opened = await new Promise<boolean>((resolve) => {
      const child = spawn(command, [...args, link], { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    });
  }
  ctx.print({ url: link, expires_at, opened }, () =>
    opened
      ? `Opened the cockpit at ${base}${room ? ` (room ${room})` : ''}.\n`
      : `Open this link within 30 seconds (it works once):\n  ${link}\n`,
  );
};
