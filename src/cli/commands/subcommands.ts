// Commands made of subcommands (`huddle task claim`, `huddle var get`): picks the subcommand,
// checks its arguments and options against its own usage line, then loads and runs it.

import { usageError } from '../cli-error.js';
import { COMMANDS, type Run } from '../registry.js';

export interface Subcommand {
  /** Arguments after the subcommand's name: at least `min`, at most `max`. */
  min: number;
  max: number;
  /** The command's options this subcommand takes; --as and the global flags always pass. */
  options: string[];
  load: () => Promise<{ run: Run }>;
}

/**
 * The line of the command's usage that describes `name`: usage lines start with
 * `huddle <command> <name>` or `huddle <command> <a|b|c>`.
 */
function usageLine(command: string, name: string): string {
  const lines = COMMANDS[command]!.usage.split('\n').map((l) => l.trim());
  const prefix = `huddle ${command} `;
  return (
    lines.find((l) => l.slice(prefix.length).split(' ')[0]!.split('|').includes(name)) ??
    lines.join('\n  ')
  );
}

/** A `run` for `huddle <command>` that dispatches on its first argument. */
export function subcommands(command: string, table: Record<string, Subcommand>): Run {
  return async (ctx, [name, ...args], flags) => {
    const sub = Object.hasOwn(table, name!) ? table[name!] : undefined;
    if (!sub) {
      throw usageError(
        `Unknown subcommand "${command} ${name}": use one of ${Object.keys(table).join(', ')}.\nUsage: ${COMMANDS[command]!.usage}`,
      );
    }
    const line = usageLine(command, name!);
    const own = COMMANDS[command]!.options;
    const stray = Object.keys(flags).find(
      (f) => Object.hasOwn(own, f) && f !== 'as' && !sub.options.includes(f),
    );
    if (stray)
      throw usageError(
        `--${stray} is not an option of "huddle ${command} ${name}".\nUsage: ${line}`,
      );
    if (args.length < sub.min || args.length > sub.max)
      throw usageError(`Wrong number of arguments.\nUsage: ${line}`);
    const { run } = await sub.load();
    await run(ctx, args, flags);
  };
}
