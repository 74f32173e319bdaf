// Durations on the command line: `90s`, `30m`, `2h`, `1d`, or plain seconds.

import type { Flags } from './context.js';
import { usageError } from './cli-error.js';

const SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** The seconds in `--name`, or undefined without it; anything else is a usage error naming it. */
export function durationFlag(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const match = typeof raw === 'string' ? /^(\d{1,9})([smhd]?)$/.exec(raw.trim()) : null;
  if (!match)
    throw usageError(
      `--${name} must be a duration such as 90s, 30m, 2h or 1d, or plain seconds; got ${JSON.stringify(raw)}.`,
    );
  return Number(match[1]) * SECONDS[match[2]!]!;
}
