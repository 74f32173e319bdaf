// Option values the coordination commands share: repeatable comma lists, and text that "-"
// reads from standard input.

import type { CliIO, Flags } from '../context.js';
import { stringFlag } from '../flags.js';
import { listFlag } from '../list-flag.js';

/**
 * `--depends-on T-1,T-2 --depends-on T-3` is ["T-1", "T-2", "T-3"]; undefined without the flag,
 * and [] for an empty value (which clears a list).
 */
export function repeatedList(flags: Flags, name: string): string[] | undefined {
  const raw = flags[name] as string | string[] | boolean | undefined;
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((value) => listFlag(value) ?? []);
}

/** The option's text as given, standard input for "-", or undefined without the option. */
export async function textOption(
  io: CliIO,
  flags: Flags,
  name: string,
): Promise<string | undefined> {
  const raw = stringFlag(flags, name);
  return raw === '-' ? io.readStdin() : raw;
}
