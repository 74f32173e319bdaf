// Reading typed values out of command-line flags, with usage errors that name the flag.

import type { Flags } from './context.js';
import { usageError } from './cli-error.js';

export function intFlag(flags: Flags, name: string): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw))
    throw usageError(`--${name} must be a non-negative integer.`);
  return Number(raw);
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const raw = flags[name];
  return typeof raw === 'string' ? raw : undefined;
}
