// huddle config print: every effective setting, where it came from, secrets masked.

import type { Run } from '../registry.js';
import { usageError } from '../cli-error.js';
import { formatConfig } from '../../config/load-config.js';

export const run: Run = async (ctx, [action]) => {
  if (action !== 'print') throw usageError('Usage: huddle config print');
  const settings = formatConfig(ctx.loaded);
  ctx.print(
    settings,
    () =>
      Object.entries(settings)
        .map(
          ([key, { value, source }]) =>
            `${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}  (${source})`,
        )
        .join('\n') + '\n',
  );
};
