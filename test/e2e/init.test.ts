// huddle init writes each client's MCP configuration in its documented shape (golden files),
// keeps what the file already had, changes nothing when run again, and keeps a backup.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI_PATH, spawnHub } from '../helpers/hub.js';
import { envWithoutHuddle } from '../helpers/process-env.js';
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
  const r = spawnSync(process.execPath, [CLI_PATH, 'init', ...args], {
    cwd: project,
    env: envWithoutHuddle({ HOME: home, HUDDLE_HOME: join(home, '.huddle') }),
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

test('init claude and codex install hooks (golden), keep other hooks, and an instruction block, idempotently', () => {
  const { root, home } = project();
  const settings = join(root, '.claude', 'settings.json');
  mkdirSync(dirname(settings), { recursive: true });
  const mine = { type: 'command', command: 'my-linter --check' };
  writeFileSync(
    settings,
    JSON.stringify({
      permissions: { allow: ['Bash(npm test)'] },
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [mine] }] },
    }),
  );
  chmodSync(settings, 0o600); // it may hold keys: init keeps it private
  writeFileSync(join(root, 'CLAUDE.md'), '# Project rules\n\nUse tabs.\n');
  for (let run = 0; run < 2; run++) {
    const r = init(root, home, 'claude', '--room', 'payments');
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(statSync(settings).mode & 0o777, 0o600);
  const written = JSON.parse(readFileSync(settings, 'utf8'));
  const golden = JSON.parse(readFileSync(join(FIXTURES, 'claude.settings.json'), 'utf8'));
  assert.deepEqual(written.permissions, { allow: ['Bash(npm test)'] }, 'other settings kept');
  assert.deepEqual(written.hooks.PreToolUse[0], { matcher: 'Bash', hooks: [mine] });
  assert.deepEqual(
    { ...written.hooks, PreToolUse: written.hooks.PreToolUse.slice(1) },
    golden.hooks,
    'huddle hooks as in the golden file, once',
  );
  const notes = readFileSync(join(root, 'CLAUDE.md'), 'utf8');
  assert.ok(notes.startsWith('# Project rules\n\nUse tabs.\n\n<!-- huddle:begin'));
  assert.equal(notes.match(/huddle:begin/g)?.length, 1);
  assert.match(notes, /waking this session when it is idle/);

  const codex = init(root, home, 'codex', '--room', 'payments');
  assert.equal(codex.code, 0, codex.stderr);
  assert.equal(
    readFileSync(join(root, '.codex', 'hooks.json'), 'utf8'),
    readFileSync(join(FIXTURES, 'codex.hooks.json'), 'utf8'),
  );
  assert.match(readFileSync(join(root, 'AGENTS.md'), 'utf8'), /when you would stop/);
  assert.match(codex.stdout, /\/hooks/);

  const none = init(root, home, 'gemini', '--no-hooks');
  assert.equal(none.code, 0, none.stderr);
  assert.equal(
    JSON.parse(readFileSync(join(root, '.gemini', 'settings.json'), 'utf8')).hooks,
    undefined,
  );
  assert.ok(!existsSync(join(root, 'GEMINI.md')));
});

test('init claude refuses a broken .claude/settings.json naming it, and writes no file at all', () => {
  const { root, home } = project();
  const settings = join(root, '.claude', 'settings.json');
  mkdirSync(dirname(settings), { recursive: true });
  writeFileSync(settings, '{ "hooks": ');
  const r = init(root, home, 'claude');
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${settings.replace(/[.]/g, '\\.')} is not a JSON object`));
  assert.equal(readFileSync(settings, 'utf8'), '{ "hooks": ');
  assert.ok(!existsSync(join(root, '.mcp.json')), 'the MCP file is not written either');
  assert.ok(!existsSync(join(root, 'CLAUDE.md')));
});

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
  assert.ok(broken.stderr.includes(join(root, '.mcp.json')), 'the refusal names the file');
  assert.equal(readFileSync(join(root, '.mcp.json'), 'utf8'), '{ not json');
});

test("init --user --dry-run shows only huddle's part of the user's files, never the rest", () => {
  const { root, home } = project();
  mkdirSync(home, { recursive: true });
  const user = {
    userID: 'secret-user-id-4f9a',
    oauthAccount: { emailAddress: 'me@example.com' },
    projects: { [root]: { allowedTools: ['Bash(rm -rf build)'] } },
    mcpServers: { other: { command: 'other-server', env: { API_KEY: 'sk-other-key' } } },
  };
  const text = JSON.stringify(user, null, 2);
  writeFileSync(join(home, '.claude.json'), text);
  mkdirSync(join(home, '.claude'));
  writeFileSync(join(home, '.claude', 'settings.json'), '{"env":{"TOKEN":"settings-secret"}}');
  for (const json of [[], ['--json']]) {
    const dry = init(root, home, 'claude', '--user', '--dry-run', ...json);
    assert.equal(dry.code, 0, dry.stderr);
    for (const secret of [
      'secret-user-id',
      'me@example.com',
      'rm -rf',
      'sk-other',
      'settings-secret',
    ])
      assert.ok(!dry.stdout.includes(secret), `the dry run shows ${secret}:\n${dry.stdout}`);
    assert.ok(!dry.stdout.includes('other-server'), 'other servers are not shown');
    assert.match(dry.stdout, /huddle hook session-start/);
    if (json.length === 0) {
      assert.match(
        dry.stdout,
        /Would add to .*\.claude\.json \(MCP server; nothing else in it changes\):\n\{\n  "mcpServers": \{\n    "huddle": \{/,
      );
      assert.doesNotMatch(dry.stdout, /Next:/, 'no next step for what was not written');
    } else {
      const out = JSON.parse(dry.stdout) as {
        files: Array<{ part: string }>;
        next_steps: string[];
      };
      assert.deepEqual(JSON.parse(out.files[0]!.part), {
        mcpServers: { huddle: { command: 'huddle', args: ['mcp', '--client', 'claude-code'] } },
      });
      assert.deepEqual(out.next_steps, []);
    }
  }
  assert.equal(readFileSync(join(home, '.claude.json'), 'utf8'), text, 'nothing written');
});

test('init prints the step each client needs before it runs huddle, and says nothing of hooks it did not install', () => {
  const { root, home } = project();
  const run = (...args: string[]) => {
    const r = init(root, home, ...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const claude = run('claude');
  assert.ok(
    claude.includes(
      `Next: run claude in ${root}, trust the folder, and choose "Use this MCP server" for huddle (later: /mcp). Until then claude mcp list shows huddle as pending approval.\n`,
    ),
    claude,
  );
  assert.match(claude, /^Hooks show new messages to the session and wake it when it is idle\.$/m);
  assert.doesNotMatch(claude, /dangerously-load-development-channels/);
  assert.match(
    run('claude', '--channels'),
    /Start every session with: claude --dangerously-load-development-channels server:huddle\./,
  );
  // In ~/.claude.json a server needs no approval.
  assert.doesNotMatch(run('claude', '--user'), /Next:/);

  const codex = run('codex');
  assert.ok(
    codex.includes(
      `Next: run codex in ${root} and choose "Trust and continue", then "Trust all and continue" for huddle's 3 hooks (or review them in /hooks). Until the project is trusted Codex ignores its .codex folder: codex mcp list shows no huddle.\n`,
    ),
    codex,
  );
  assert.match(
    run('codex', '--user'),
    /^Next: run codex and choose "Trust all and continue" for huddle's 3 hooks/m,
  );

  const gemini = run('gemini');
  assert.ok(
    gemini.includes(
      `Next: run gemini in ${root} and choose "Trust folder" (later: /permissions trust). Until then gemini mcp list shows huddle as disabled; a headless gemini -p needs GEMINI_CLI_TRUST_WORKSPACE=true.\n`,
    ),
    gemini,
  );

  const { root: bare, home: bareHome } = project();
  for (const client of ['claude', 'codex', 'gemini']) {
    const r = init(bare, bareHome, client, '--no-hooks');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /[Hh]ooks (show|deliver)|wake/, `${client}: ${r.stdout}`);
    assert.doesNotMatch(r.stdout, /\/hooks|Trust all/, `${client}: ${r.stdout}`);
    assert.match(
      r.stdout,
      /Without hooks, messages reach the agent only when it calls huddle's room or inbox tool\./,
    );
  }
  // The other clients get no step from init.
  assert.ok(
    init(bare, bareHome, 'cursor').stdout.endsWith(
      'The cursor agent will run: huddle mcp --client cursor\n',
    ),
  );
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

test("init --http writes each client's HTTP form with the token left to HUDDLE_TOKEN, and it connects", async () => {
  // A hub in its own process, so the CLI runs below can block this one.
  const hubHome = tempDir();
  dirs.push(hubHome);
  const hub = await spawnHub(hubHome.path);
  try {
    const { root, home } = project();
    const env = { HUDDLE_URL: hub.url };
    const create = spawnSync(process.execPath, [CLI_PATH, 'create', 'remote-room'], {
      env: { ...process.env, HOME: home, HUDDLE_HOME: join(home, '.huddle'), ...env },
      encoding: 'utf8',
    });
    assert.equal(create.status, 0, create.stderr);
    const url = `${hub.url}/mcp?agent=bot`;
    const expected: Record<string, [string, (text: string) => void]> = {
      claude: [
        '.mcp.json',
        (t) =>
          assert.deepEqual(JSON.parse(t).mcpServers.huddle, {
            type: 'http',
            url,
            headers: { Authorization: 'Bearer ${HUDDLE_TOKEN}' },
          }),
      ],
      codex: [
        '.codex/config.toml',
        (t) =>
          assert.match(
            t,
            new RegExp(
              `\\[mcp_servers\\.huddle\\]\\nurl = "${url.replace(/[?.]/g, '\\$&')}"\\nbearer_token_env_var = "HUDDLE_TOKEN"`,
            ),
          ),
      ],
      gemini: [
        '.gemini/settings.json',
        (t) =>
          assert.deepEqual(JSON.parse(t).mcpServers.huddle, {
            type: 'http',
            url,
            headers: { Authorization: 'Bearer ${HUDDLE_TOKEN}' },
          }),
      ],
      cursor: [
        '.cursor/mcp.json',
        (t) =>
          assert.deepEqual(JSON.parse(t).mcpServers.huddle, {
            url,
            headers: { Authorization: 'Bearer ${env:HUDDLE_TOKEN}' },
          }),
      ],
      vscode: [
        '.vscode/mcp.json',
        (t) =>
          assert.deepEqual(JSON.parse(t).servers.huddle, {
            type: 'http',
            url,
            headers: { Authorization: 'Bearer ${env:HUDDLE_TOKEN}' },
          }),
      ],
      opencode: [
        'opencode.json',
        (t) =>
          assert.deepEqual(JSON.parse(t).mcp.huddle, {
            type: 'remote',
            url,
            headers: { Authorization: 'Bearer {env:HUDDLE_TOKEN}' },
          }),
      ],
    };
    for (const [client, [file, check]] of Object.entries(expected)) {
      const r = spawnSync(
        process.execPath,
        [CLI_PATH, 'init', client, '--http', '--room', 'remote-room', '--as', 'bot'],
        {
          cwd: root,
          env: { ...process.env, HOME: home, HUDDLE_HOME: join(home, '.huddle'), ...env },
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, `${client}: ${r.stderr}`);
      check(readFileSync(join(root, file), 'utf8'));
      assert.ok(!readFileSync(join(root, file), 'utf8').includes('hd_'), 'no token in the file');
    }
    // What a person does next: export HUDDLE_TOKEN=$(huddle token remote-room), then the client connects.
    const token = spawnSync(process.execPath, [CLI_PATH, 'token', 'remote-room'], {
      env: { ...process.env, HOME: home, HUDDLE_HOME: join(home, '.huddle'), ...env },
      encoding: 'utf8',
    }).stdout.trim();
    assert.match(token, /^hd_/);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const who = await client.callTool({ name: 'who', arguments: {} });
    assert.match(JSON.stringify(who.content), /bot: online/);
    await client.close();
  } finally {
    await hub.stop();
  }
});
