// Names that need no configuration: the repository's room, and a stable agent name per client
// and directory, so a restarted agent finds its inbox again.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';

// node:crypto takes a hook about a tenth of node's own start to load, and most hook runs are told
// their room and agent: it is loaded on the first name that needs a hash.
const load = createRequire(import.meta.url);
const hash4 = (text: string) =>
  (load('node:crypto') as typeof import('node:crypto'))
    .createHash('sha256')
    .update(text)
    .digest('hex')
    .slice(0, 4);

/** The top of the git work tree containing `cwd`, or `cwd` itself outside one. */
export function repoRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(`${dir}/.git`)) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** Lowercase letters, digits, '.', '_' and '-', as room and agent names allow. */
function slug(text: string, max: number): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s || 'repo';
}

/** `api-3f2a` for a checkout at /home/me/src/api: two checkouts named api do not collide. */
export function defaultRoom(root: string): string {
  return `${slug(basename(root), 50)}-${hash4(root)}`;
}

const CLIENT_PREFIX: Record<string, string> = {
  'claude-code': 'claude',
  codex: 'codex',
  gemini: 'gemini',
  cursor: 'cursor',
  opencode: 'opencode',
  vscode: 'vscode',
  human: 'human',
};

/**
 * `claude-api-3f2a`: the client, the repository, and a hash of the directory, so it is the same
 * every time for the same client in the same directory. At the top of the repository the hash is
 * the room's (`claude-api-3f2a` in room `api-3f2a`); a subdirectory gets a hash of its own.
 */
export function defaultAgent(client: string, cwd: string): string {
  const prefix = CLIENT_PREFIX[client] ?? 'agent';
  return `${prefix}-${slug(basename(repoRoot(cwd)), 30)}-${hash4(resolve(cwd))}`;
}
