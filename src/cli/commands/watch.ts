// huddle watch: follows the room live like tail -f, resuming by cursor after a disconnect.

import type { Run } from '../registry.js';
import { CliError } from '../cli-error.js';
import { intFlag, stringFlag } from '../flags.js';
import { renderEvent } from '../render.js';

export const run: Run = async (ctx, [room], flags) => {
  const { credential } = ctx.forRoom(room!);
  const { connectStream } = await import('../../client/stream-client.js');
  const after = intFlag(flags, 'after') ?? 0;
  let failure: string | undefined;
  const stream = connectStream({
    url: ctx.config.url,
    token: credential.token,
    subscriptions: [
      {
        room: room!,
        after,
        agent: stringFlag(flags, 'as') ?? (ctx.io.env.HUDDLE_AGENT || undefined),
      },
    ],
    onEvent: (event) => ctx.io.stdout(ctx.json ? JSON.stringify(event) + '\n' : renderEvent(event)),
    onNotice: (notice) => {
      if (notice.type === 'reconnecting') ctx.io.stderr(`huddle: ${notice.message}\n`);
      if (notice.type === 'error') {
        // The subscription was refused (wrong room, not your agent...): nothing will follow.
        failure = notice.message ?? notice.code;
        stream.close();
      }
    },
  });
  const stop = () => stream.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { code, reason } = await stream.done;
  if (failure) throw new CliError(failure);
  if (code !== 1000)
    throw new CliError(`The stream closed (${code}${reason ? `: ${reason}` : ''}).`);
};
