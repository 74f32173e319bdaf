// The names huddle derives with nothing configured, as the docs show them: room `api-3f2a` for a
// checkout named api, and agent `claude-api-3f2a` for Claude Code at its top, the room's own hash.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultAgent, defaultRoom, repoRoot } from '../../src/cli/repo-identity.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
after(() => dir.remove());
const root = join(dir.path, 'api');
mkdirSync(join(root, '.git'), { recursive: true });
mkdirSync(join(root, 'web', 'src'), { recursive: true });

describe('default names', () => {
  it('name the room after the checkout, with four hex digits of its path', () => {
    assert.equal(repoRoot(join(root, 'web', 'src')), root);
    assert.match(defaultRoom(root), /^api-[0-9a-f]{4}$/);
  });

  it('name the agent at the top of the checkout after the client and the room', () => {
    const room = defaultRoom(root);
    assert.equal(defaultAgent('claude-code', root), `claude-${room}`);
    assert.equal(defaultAgent('codex', root), `codex-${room}`);
    assert.equal(defaultAgent('gemini', `${root}/`), `gemini-${room}`);
    assert.equal(defaultAgent('something-else', root), `agent-${room}`);
  });

  it('give a subdirectory a name of its own, the same every time', () => {
    const sub = join(root, 'web');
    const name = defaultAgent('claude-code', sub);
    assert.match(name, /^claude-api-[0-9a-f]{4}$/);
    assert.notEqual(name, defaultAgent('claude-code', root));
    assert.equal(defaultAgent('claude-code', sub), name);
  });
});
