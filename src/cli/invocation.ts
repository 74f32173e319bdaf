// How to run `huddle` as typed in a shell here, for the hints the CLI prints: `huddle` when it is
// on the PATH, `npx huddle` inside the clone it was built in, else node and the path of the built command.

import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./huddle.cjs', import.meta.url));
/** The package: dist/src/cli/ is three levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function huddleCommand(env: Record<string, string | undefined>, cwd: string): string {
  const names = process.platform === 'win32' ? ['huddle.cmd', 'huddle.exe'] : ['huddle'];
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  if (dirs.some((dir) => names.some((name) => existsSync(join(dir, name))))) return 'huddle';
  const inside = relative(PACKAGE_ROOT, cwd);
  if (!inside.startsWith('..') && !isAbsolute(inside)) return 'npx huddle';
  return `node ${/^[\w@%+=:,./-]+$/.test(MAIN) ? MAIN : `'${MAIN.replaceAll("'", "'\\''")}'`}`;
}
