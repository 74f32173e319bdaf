// huddle init writes each client's MCP configuration in its documented shape (golden files),
// keeps what the file already had, changes nothing when run again, and keeps a backup.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { CLI_PATH } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/init/', import.meta.url));
const dirs: Array<ReturnType<typeof tempDir>> = [];
after(() => dirs.forEach((d) => d.remove()));

/** Each client's file (project scope) and what it held before init. */
const CASES: Record<string, { file: string; before: string; golden: string }> = {
  claude: {
    file: '.mcp.json',
    before: '{"mcpServers":{"other":{"command":"other-server"}},"extra":true}\n',
    golden: 'claude.mcp.json',
  },
  codex: {
    file: '.codex/config.toml',
    before: 'model = "o4"\n\n[mcp_servers.other]\ncommand = "other-server"\n',
    golden: 'codex.config.toml',
  },
  gemini: {
    file: '.gemini/settings.json',
    before: '{"theme":"dark","mcpServers":{"other":{"command":"other-server"}}}\n',
    golden: 'gemini.settings.json',
  },
  cursor: {
    file: '.cursor/mcp.json',
    before: '{"mcpServers":{"other":{"url":"http://x"}}}\n',
    golden: 'cursor.mcp.json',
  },
  vscode: {
    file: '.vscode/mcp.json',
    before: '{"servers":{"other":{"type":"stdio","command":"other-server"}},"inputs":[]}\n',
    golden: 'vscode.mcp.json',
  },
  opencode: {
    file: 'opencode.json',
    before:
      '{"$schema":"https://opencode.ai/config.json","mcp":{"other":{"type":"local","command":["other-server"]}}}\n',
    golden: 'opencode.json',
  },
};

function init(project: string, home: string, ...args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('HUDDLE_')) env[k] = v;
  const r = spawnSync(process.execPath, [CLI_PATH, 'init', ...args], {
    cwd: project,
    env: { ...env, HOME: home, HUDDLE_HOME: join(home, '.huddle') },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(): { root: string; home: string } {
  const d = tempDir();
  dirs.push(d);
  const root = join(d.path, 'api');
  mkdirSync(join(root, '.git'), { recursive: true });
  return { root, home: join(d.path, 'home') };
}

for (const [client, c] of Object.entries(CASES)) {
  test(`init ${client}: golden shape, other entries kept, idempotent, backed up`, () => {
    const { root, home } = project();
    const path = join(root, c.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, c.before);
    const first = init(root, home, client);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(readFileSync(path, 'utf8'), readFileSync(join(FIXTURES, c.golden), 'utf8'));
    assert.equal(readFileSync(`${path}.bak`, 'utf8'), c.before, 'the previous file is kept');
    const second = init(root, home, client, '--json');
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as { changed: boolean }).changed, false);
    assert.equal(readFileSync(path, 'utf8'), readFileSync(join(FIXTURES, c.golden), 'utf8'));
  });
}

test('init --dry-run prints the result and writes nothing; a broken file is refused, not overwritten', () => {
  const { root, home } = project();
  const dry = init(root, home, 'claude', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /"huddle"/);
  assert.ok(!existsSync(join(root, '.mcp.json')));
  writeFileSync(join(root, '.mcp.json'), '{ not json');
  const broken = init(root, home, 'claude');
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /not a JSON object/);
  assert.equal(readFileSync(join(root, '.mcp.json'), 'utf8'), '{ not json');
});

test('init --user writes the user-scope file, and an unknown client is a usage error', () => {
  const { root, home } = project();
  const user = init(root, home, 'gemini', '--user');
  assert.equal(user.code, 0, user.stderr);
  assert.ok(existsSync(join(home, '.gemini', 'settings.json')));
  const unknown = init(root, home, 'emacs');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /choose one of claude, codex, gemini, cursor, vscode, opencode/);
});
