// `huddle hook` as Claude Code runs it: each recorded payload on stdin, against a real hub, in a
// temporary git project, and the exact JSON (or silence) Claude Code reads back. Also the hook's
// refusals: the hub down, stdin that is not a JSON object, an unknown event or client.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { openCredentials } from '../../src/cli/credentials.js';
import type { Lease, Message } from '../../src/core/types.js';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  NEUTRAL_ENV,
  assertSessionCreated,
  context,
  frame as frameIn,
  messagesText,
  printed,
  recordedPayload,
  silent,
} from '../helpers/hook-io.js';

const ROOM = 'claude-hooks';

let hub: TestHub;
let dir: ReturnType<typeof tempDir>;
/** The machine's HUDDLE_HOME, the git project Claude Code runs in, and the hook's agent. */
let home: string;
let project: string;
let agent: string;
/** The machine's member, straight to the hub, for what other agents do meanwhile. */
let api: HubClient;

/** A recorded payload in the test's project. */
const payload = (name: string, changes: Record<string, unknown> = {}) =>
  recordedPayload(name, project, changes);

const frame = (m: Message, quoted: string[], extra = '') => frameIn(ROOM, m, quoted, extra);

/** The tool_input of a payload with `changes` over it. */
function toolInput(name: string, changes: Record<string, unknown>): Record<string, unknown> {
  const data = JSON.parse(payload(name)) as { tool_input: Record<string, unknown> };
  return { tool_input: { ...data.tool_input, ...changes } };
}

/** `huddle hook <event>` as Claude Code runs it: in the project, with CLAUDE_PROJECT_DIR set. */
function hook(event: string, input: string, extra: string[] = []): Promise<CliResult> {
  return huddle(['hook', event, '--room', ROOM, ...extra], {
    home,
    url: hub.url,
    input,
    cwd: project,
    env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
  });
}

const deny = (reason: string) => ({
  hookSpecificOutput: {
    hookEventName: 'PreToolUse',
    permissionDecision: 'deny',
    permissionDecisionReason: reason,
  },
});

const send = async (from: string, to: string, body: string, urgent = false) =>
  (await api.send(ROOM, from, { to, body, ...(urgent && { priority: 'urgent' as const }) }))
    .message;

function denyReason(path: string, lease: Lease): string {
  const reason = lease.reason ? `, reason: ${lease.reason}` : '';
  return `huddle: ${path} is leased by agent "${lease.agent}" (lease ${lease.id}, ${lease.mode}, until ${lease.expires_at}${reason}). Do not edit it now: ask "${lease.agent}" with the huddle send tool to release or hand it over, or work on something else meanwhile.`;
}

before(async () => {
  hub = await startTestHub();
  dir = tempDir('huddle-hooks-claude-');
  home = join(dir.path, 'home');
  project = join(dir.path, 'shop-api');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home);
  // The name the hook takes without --as: client, repository, and a hash of the directory.
  const hash = createHash('sha256').update(project).digest('hex').slice(0, 4);
  agent = `claude-shop-api-${hash}`;
  const machine = { home, url: hub.url };
  await huddleOk(['create', ROOM, '--label', 'machine-a'], machine);
  await huddleOk(['agent', ROOM, 'bob'], machine);
  await huddleOk(['agent', ROOM, 'carol'], machine);
  const { token } = openCredentials(home).get(hub.url, ROOM)!;
  api = createHubClient({ url: hub.url, token });
});
after(async () => {
  await hub.stop();
  dir.remove();
});

/** Seq of the room's last event, to read what a hook appends after it. */
const head = async () => (await api.read(ROOM, 1)).cursor;

describe('SessionStart', () => {
  test('the first start creates the agent offline, records the session, prints the digest', async () => {
    await api.setCheckpoint(
      ROOM,
      '\nAuth refactor: tokens move to <src/auth/token.ts>\n\nNext: the migration.',
    );
    assert.equal(
      (await api.agents(ROOM)).agents.some((a) => a.name === agent),
      false,
    );
    const seq = await head();

    printed(
      await hook('session-start', payload('claude/session-start.json')),
      context(
        'SessionStart',
        [
          `huddle: you are agent "${agent}" in room "${ROOM}".`,
          'Checkpoint v1 by machine-a, its first line (the room tool shows it whole):',
          '> Auth refactor: tokens move to &lt;src/auth/token.ts&gt;',
          'No unread messages.',
        ].join('\n'),
      ),
    );

    await assertSessionCreated(api, ROOM, seq, {
      agent: agent,
      client: 'claude-code',
      cwd: project,
      session_id: '142573b3-80b4-4373-9584-384b9867aef4',
      source: 'startup',
    });
  });

  test('a resumed session counts unread messages and lists its tasks and leases', async () => {
    const m = await send('bob', agent, 'The token table is renamed; rebase first.');
    const { task } = await api.addTask(ROOM, 'bob', {
      title: 'Write the token migration',
      priority: 'high',
      assignee: agent,
    });
    const { lease } = await api.lease(ROOM, agent, {
      paths: ['migrations/**'],
      reason: 'token migration',
    });
    assert.equal(task.status, 'claimed'); // given to the agent, it is claimed for it
    const seq = await head();

    printed(
      await hook('session-start', payload('claude/session-start.json', { source: 'resume' })),
      context(
        'SessionStart',
        [
          `huddle: you are agent "${agent}" in room "${ROOM}" (session resume).`,
          'Checkpoint v1 by machine-a, its first line (the room tool shows it whole):',
          '> Auth refactor: tokens move to &lt;src/auth/token.ts&gt;',
          '1 unread message: read with the huddle inbox tool.',
          'Your tasks:',
          `  [${task.id}] CLAIMED     [HIGH] Write the token migration (${agent})`,
          'Your leases:',
          `  ${lease.id} ${agent} exclusive migrations/** until ${lease.expires_at} — token migration`,
        ].join('\n'),
      ),
    );
    const { events } = await api.history(ROOM, seq);
    assert.deepEqual(
      events.map((e) => [e.type, e.body.source]),
      [['agent.session', 'resume']],
    );

    // The digest only counts the message: the next tool call brings it.
    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')),
      context('PreToolUse', messagesText(frame(m, ['The token table is renamed; rebase first.']))),
    );
    // The agent's own exclusive lease does not stop it.
    silent(
      await hook(
        'pre-tool-use',
        payload(
          'claude/pre-tool-use-write.json',
          toolInput('claude/pre-tool-use-write.json', {
            file_path: join(project, 'migrations/004_tokens.sql'),
          }),
        ),
      ),
    );
  });
});

describe('messages before and after tool calls, and with prompts', () => {
  test('PreToolUse with nothing new prints nothing', async () => {
    silent(await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')));
  });

  test('new messages come framed as data, once: every later hook prints nothing', async () => {
    const fromBob = await send(
      'bob',
      agent,
      'Login now returns 401 for <expired> tokens.\nSee PR 42.',
    );
    const fromCarol = await send('carol', agent, 'Do not touch the session cookie today.', true);

    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')),
      context(
        'PreToolUse',
        messagesText(
          frame(fromBob, ['Login now returns 401 for &lt;expired&gt; tokens.', 'See PR 42.']),
          frame(fromCarol, ['Do not touch the session cookie today.'], ', URGENT'),
        ),
      ),
    );
    silent(await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')));
    silent(await hook('post-tool-use', payload('claude/post-tool-use.json')));
    silent(await hook('user-prompt-submit', payload('claude/user-prompt-submit.json')));
  });

  test('messages to other agents are not shown', async () => {
    const m = await send('bob', 'carol', 'Carol, the cookie change is yours.');
    silent(await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')));
    silent(await hook('user-prompt-submit', payload('claude/user-prompt-submit.json')));
    const carols = await api.peekInbox(ROOM, 'carol');
    assert.ok(carols.messages.some((i) => i.message.id === m.id));
  });

  test('PostToolUse shows new messages once', async () => {
    const m = await send('carol', agent, 'Cookie work is done; go ahead.');
    printed(
      await hook('post-tool-use', payload('claude/post-tool-use.json')),
      context('PostToolUse', messagesText(frame(m, ['Cookie work is done; go ahead.']))),
    );
    silent(await hook('post-tool-use', payload('claude/post-tool-use.json')));
  });

  test('UserPromptSubmit shows new messages once', async () => {
    const m = await send('bob', agent, 'The 401 change is merged.');
    printed(
      await hook('user-prompt-submit', payload('claude/user-prompt-submit.json')),
      context('UserPromptSubmit', messagesText(frame(m, ['The 401 change is merged.']))),
    );
    silent(await hook('user-prompt-submit', payload('claude/user-prompt-submit.json')));
  });

  test('two hooks at once: the message is shown by exactly one of them', async () => {
    const m = await send('bob', agent, 'Only once, please.');
    const both = await Promise.all([
      hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')),
      hook('post-tool-use', payload('claude/post-tool-use.json')),
    ]);
    const shown = both.filter((r) => r.stdout !== '');
    assert.equal(shown.length, 1, JSON.stringify(both));
    const event = shown[0] === both[0] ? 'PreToolUse' : 'PostToolUse';
    printed(shown[0]!, context(event, messagesText(frame(m, ['Only once, please.']))));
    silent(both.find((r) => r !== shown[0])!);
  });

  test('ten messages at most per hook; the rest come with the next one', async () => {
    const sent: Message[] = [];
    for (let i = 1; i <= 11; i++) sent.push(await send('bob', agent, `Step ${i} is done.`));
    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')),
      context(
        'PreToolUse',
        messagesText(...sent.slice(0, 10).map((m, i) => frame(m, [`Step ${i + 1} is done.`]))),
      ),
    );
    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')),
      context('PreToolUse', messagesText(frame(sent[10]!, ['Step 11 is done.']))),
    );
  });
});

describe('the lease guard', () => {
  let auth: Lease;
  before(async () => {
    auth = (await api.lease(ROOM, 'bob', { paths: ['src/auth/**'], reason: 'token refactor' }))
      .lease;
  });

  const EDITS = [
    ['claude/pre-tool-use-edit.json', 'src/auth/login.ts'],
    ['claude/pre-tool-use-write.json', 'src/auth/token.ts'],
    ['claude/pre-tool-use-multiedit.json', 'src/auth/session.ts'],
    ['claude/pre-tool-use-notebookedit.json', 'src/auth/analysis.ipynb'],
  ] as const;

  test("Edit, Write, MultiEdit and NotebookEdit under another agent's exclusive lease are denied", async () => {
    for (const [fixture, path] of EDITS)
      printed(await hook('pre-tool-use', payload(fixture)), deny(denyReason(path, auth)));
  });

  test('a denied call shows only the denial; the new message comes with the next call', async () => {
    const m = await send('bob', agent, 'I hold src/auth until noon.');
    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-edit.json')),
      deny(denyReason('src/auth/login.ts', auth)),
    );
    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-bash.json')),
      context('PreToolUse', messagesText(frame(m, ['I hold src/auth until noon.']))),
    );
  });

  test('the holder itself may edit there', async () => {
    for (const [fixture] of EDITS)
      silent(await hook('pre-tool-use', payload(fixture), ['--as', 'bob']));
  });

  test('paths relative to the session cwd are checked as project paths', async () => {
    const input = {
      cwd: join(project, 'src'),
      ...toolInput('claude/pre-tool-use-edit.json', { file_path: 'auth/login.ts' }),
    };
    printed(
      await hook('pre-tool-use', payload('claude/pre-tool-use-edit.json', input)),
      deny(denyReason('src/auth/login.ts', auth)),
    );
  });

  test('unleased paths, paths outside the project, and tools that do not write go ahead', async () => {
    const edit = (file_path: string) =>
      hook(
        'pre-tool-use',
        payload(
          'claude/pre-tool-use-edit.json',
          toolInput('claude/pre-tool-use-edit.json', { file_path }),
        ),
      );
    silent(await edit(join(project, 'src/billing/invoice.ts')));
    silent(await edit(join(project, 'src/authz.ts')));
    // Another checkout with the same layout is not this project.
    silent(await edit(join(dir.path, 'shop-api-copy/src/auth/login.ts')));
    silent(await edit(project));
    const read = payload('claude/pre-tool-use-edit.json', {
      tool_name: 'Read',
      tool_input: { file_path: join(project, 'src/auth/login.ts') },
    });
    silent(await hook('pre-tool-use', read));
  });

  test('a file name with glob characters is matched literally', async () => {
    const edit = (file: string) =>
      payload(
        'claude/pre-tool-use-edit.json',
        toolInput('claude/pre-tool-use-edit.json', { file_path: join(project, file) }),
      );
    const single = (await api.lease(ROOM, 'bob', { paths: ['web/app/i/page.tsx'] })).lease;
    // `[id]` is a directory name here, not the class of "i" and "d".
    silent(await hook('pre-tool-use', edit('web/app/[id]/page.tsx')));
    const all = (await api.lease(ROOM, 'bob', { paths: ['web/app/**'] })).lease;
    printed(
      await hook('pre-tool-use', edit('web/app/[id]/page.tsx')),
      deny(denyReason('web/app/[id]/page.tsx', all)),
    );
    await api.release(ROOM, 'bob', { ids: [single.id, all.id] });
  });

  test("another agent's shared lease denies an agent without one, not one with its own", async () => {
    const docs = (
      await api.lease(ROOM, 'carol', { paths: ['docs/**'], mode: 'shared', reason: 'api docs' })
    ).lease;
    const editDocs = payload(
      'claude/pre-tool-use-edit.json',
      toolInput('claude/pre-tool-use-edit.json', { file_path: join(project, 'docs/api.md') }),
    );
    printed(await hook('pre-tool-use', editDocs), deny(denyReason('docs/api.md', docs)));
    await api.lease(ROOM, agent, { paths: ['docs/api.md'], mode: 'shared' });
    silent(await hook('pre-tool-use', editDocs));
    // bob holds no shared lease there: still refused.
    printed(
      await hook('pre-tool-use', editDocs, ['--as', 'bob']),
      deny(denyReason('docs/api.md', docs)),
    );
  });

  test('once released, the path may be edited', async () => {
    await api.release(ROOM, 'bob', { ids: [auth.id] });
    for (const [fixture] of EDITS) silent(await hook('pre-tool-use', payload(fixture)));
  });
});

describe('refusals and bad input', () => {
  test('hub down: exit 0, nothing on stdout (Gemini: {}), one line saying the hub is not reachable', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const deadHome = join(dir.path, 'dead-home');
    openCredentials(deadHome).put(deadUrl, ROOM, {
      token: 'hud_0000000000000000000000000000',
      member_id: 'mem_dead00000000',
      label: 'machine-a',
      scopes: ['admin'],
      saved_at: new Date().toISOString(),
    });
    const cases = [
      ['session-start', 'claude-code', 'claude/session-start.json'],
      ['pre-tool-use', 'claude-code', 'claude/pre-tool-use-edit.json'],
      ['post-tool-use', 'claude-code', 'claude/post-tool-use.json'],
      ['user-prompt-submit', 'claude-code', 'claude/user-prompt-submit.json'],
      ['session-start', 'codex', 'codex/session-start.json'],
      ['stop', 'codex', 'codex/stop.json'],
      ['before-agent', 'gemini', 'gemini/before-agent.json'],
      ['after-tool', 'gemini', 'gemini/after-tool.json'],
    ] as const;
    const results = await Promise.all(
      cases.map(([event, client, fixture]) =>
        huddle(['hook', event, '--client', client, '--room', ROOM], {
          home: deadHome,
          url: deadUrl,
          input: payload(fixture),
          cwd: project,
          env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
        }),
      ),
    );
    for (const [i, [event, client]] of cases.entries()) {
      assert.deepEqual(results[i], {
        code: 0,
        // Gemini CLI reads stdout as JSON: an empty object says there is nothing to add.
        stdout: client === 'gemini' ? '{}\n' : '',
        stderr: `huddle hook ${event}: the hub at ${deadUrl} is not reachable; skipped.\n`,
      });
    }
  });

  test('a hub that never answers: the hook gives up within seconds, exit 0, one line', async () => {
    const sockets = new Set<Socket>();
    const silentServer = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silentServer.listen(0, '127.0.0.1', r));
    const port = (silentServer.address() as { port: number }).port;
    const hungUrl = `http://127.0.0.1:${port}`;
    const hungHome = join(dir.path, 'hung-home');
    openCredentials(hungHome).put(hungUrl, ROOM, {
      token: 'hud_0000000000000000000000000000',
      member_id: 'mem_hung00000000',
      label: 'machine-a',
      scopes: ['admin'],
      saved_at: new Date().toISOString(),
    });
    try {
      const started = Date.now();
      const r = await huddle(['hook', 'pre-tool-use', '--room', ROOM], {
        home: hungHome,
        url: hungUrl,
        input: payload('claude/pre-tool-use-bash.json'),
        cwd: project,
        env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
      });
      const took = Date.now() - started;
      assert.ok(took < 6000, `took ${took} ms`);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^huddle hook pre-tool-use: .*no answer within 3000 ms.*skipped\.\n$/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silentServer.close(r));
    }
  });

  test('a room this machine has no token for: exit 0, nothing on stdout, one line', async (t) => {
    const r = await huddle(['hook', 'pre-tool-use', '--room', 'nosuch-room'], {
      home,
      url: hub.url,
      input: payload('claude/pre-tool-use-bash.json'),
      cwd: project,
      env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
    });
    await t.test('refused quietly', () => {
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^huddle hook pre-tool-use: This machine has no token for room "nosuch-room"[^\n]*skipped\.\n$/,
      );
    });
    await t.test('the line does not double its punctuation', () => {
      assert.doesNotMatch(r.stderr, /\.; skipped/);
    });
  });

  test('stdin that is not JSON: exit 0, nothing on stdout, one warning line', async () => {
    for (const input of ['{"session_id": "5b0e8f3a', 'session_id=5b0e8f3a', '{}}']) {
      const r = await hook('pre-tool-use', input);
      assert.equal(r.code, 0, input);
      assert.equal(r.stdout, '', input);
      assert.match(
        r.stderr,
        /^huddle hook pre-tool-use: the hook's stdin is not JSON \([^\n]+\); skipped\.\n$/,
        input,
      );
    }
  });

  test('stdin that is JSON but not an object: exit 0, nothing on stdout, one warning line', async () => {
    for (const input of ['[{"session_id":"5b0e8f3a"}]', '"PreToolUse"', '42', 'null', 'true']) {
      assert.deepEqual(
        await hook('user-prompt-submit', input),
        {
          code: 0,
          stdout: '',
          stderr:
            "huddle hook user-prompt-submit: the hook's stdin is not a JSON object; skipped.\n",
        },
        input,
      );
    }
  });

  test('an unknown event: exit 1, the known events listed, nothing on stdout', async () => {
    const cases = [
      [
        'claude-code',
        'pre-compact',
        'claude/stop.json',
        'session-start, pre-tool-use, post-tool-use, user-prompt-submit, notification, stop, permission-request, wait',
      ],
      [
        'codex',
        'pre-tool-use',
        'claude/pre-tool-use-bash.json',
        'session-start, user-prompt-submit, stop, permission-request, wait',
      ],
      [
        'gemini',
        'stop',
        'codex/stop.json',
        'session-start, before-agent, after-tool, notification, after-agent, wait',
      ],
    ] as const;
    for (const [client, event, fixture, known] of cases) {
      const r = await hook(event, payload(fixture), ['--client', client]);
      assert.deepEqual(r, {
        code: 1,
        stdout: '',
        stderr: `huddle hook ${event}: unknown event for ${client}; known: ${known}.\n`,
      });
    }
  });

  test('an unknown client: exit 1, the known clients listed, nothing on stdout', async () => {
    for (const client of ['cursor', 'Claude', '']) {
      const r = await hook('session-start', payload('claude/session-start.json'), [
        '--client',
        client,
      ]);
      assert.deepEqual(
        r,
        {
          code: 1,
          stdout: '',
          stderr: `huddle hook session-start: unknown client "${client}"; choose one of claude-code, codex, gemini (or claude for claude-code).\n`,
        },
        client,
      );
    }
  });

  // Names are looked up as own keys: "constructor" or "toString" is no handler or client.
  test('event and client names of Object.prototype are unknown too', async () => {
    const events = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];
    const clients = ['constructor', 'toString'];
    const input = payload('claude/session-start.json');
    const got: Record<string, CliResult> = {};
    const want: Record<string, CliResult> = {};
    for (const event of events) {
      got[`event ${event}`] = await hook(event, input);
      want[`event ${event}`] = {
        code: 1,
        stdout: '',
        stderr: `huddle hook ${event}: unknown event for claude-code; known: session-start, pre-tool-use, post-tool-use, user-prompt-submit, notification, stop, permission-request, wait.\n`,
      };
    }
    for (const client of clients) {
      got[`client ${client}`] = await hook('session-start', input, ['--client', client]);
      want[`client ${client}`] = {
        code: 1,
        stdout: '',
        stderr: `huddle hook session-start: unknown client "${client}"; choose one of claude-code, codex, gemini (or claude for claude-code).\n`,
      };
    }
    assert.deepEqual(got, want);
  });
});
