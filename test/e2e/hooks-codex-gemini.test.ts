// `huddle hook --client codex` and `--client gemini` as Codex CLI and Gemini CLI run them: each
// recorded payload on stdin, against a real hub, in a temporary git project, and the exact stdout
// the client reads back. Codex learns of messages at prompts and when it would stop (a Stop with
// new messages is blocked); Gemini CLI before each turn and after each tool, and always gets JSON.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { openCredentials } from '../../src/cli/credentials.js';
import type { Message } from '../../src/core/types.js';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
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

const ROOM = 'cli-hooks';

let hub: TestHub;
let dir: ReturnType<typeof tempDir>;
let home: string;
let project: string;
/** The agents the hooks act for without --as: one per client in the same project. */
let codex: string;
let gemini: string;
let api: HubClient;

/**
 * Codex runs a hook with no project variable: the payload's cwd is all it has. The hook runs
 * from elsewhere here to show that the payload, not the process, decides.
 */
function codexHook(event: string, input: string): Promise<CliResult> {
  return huddle(['hook', event, '--client', 'codex', '--room', ROOM], {
    home,
    url: hub.url,
    input,
    cwd: home,
    env: NEUTRAL_ENV,
  });
}

/** Gemini CLI sets GEMINI_PROJECT_DIR, and CLAUDE_PROJECT_DIR for compatibility, to its cwd. */
function geminiHook(event: string, input: string): Promise<CliResult> {
  return huddle(['hook', event, '--client', 'gemini', '--room', ROOM], {
    home,
    url: hub.url,
    input,
    cwd: project,
    env: { ...NEUTRAL_ENV, GEMINI_PROJECT_DIR: project, CLAUDE_PROJECT_DIR: project },
  });
}

/** Gemini CLI: exit 0 and an empty JSON object, "nothing to add". */
function nothing(r: CliResult): void {
  assert.deepEqual(r, { code: 0, stdout: '{}\n', stderr: '' });
}

const payload = (name: string, changes: Record<string, unknown> = {}) =>
  recordedPayload(name, project, changes);

const frame = (m: Message, quoted: string[]) => frameIn(ROOM, m, quoted);

const send = async (to: string, body: string) =>
  (await api.send(ROOM, 'bob', { to, body })).message;

const nameFor = (prefix: string) =>
  `${prefix}-shop-api-${createHash('sha256').update(project).digest('hex').slice(0, 4)}`;

before(async () => {
  hub = await startTestHub();
  dir = tempDir('huddle-hooks-cli-');
  home = join(dir.path, 'home');
  project = join(dir.path, 'shop-api');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home);
  codex = nameFor('codex');
  gemini = nameFor('gemini');
  const machine = { home, url: hub.url };
  await huddleOk(['create', ROOM, '--label', 'machine-b'], machine);
  await huddleOk(['agent', ROOM, 'bob'], machine);
  const { token } = openCredentials(home).get(hub.url, ROOM)!;
  api = createHubClient({ url: hub.url, token });
});
after(async () => {
  await hub.stop();
  dir.remove();
});

const seqNow = async () => (await api.read(ROOM, 1)).cursor;

describe('Codex CLI', () => {
  test('SessionStart creates the agent offline, records the session, prints the digest', async () => {
    const seq = await seqNow();
    printed(
      await codexHook('session-start', payload('codex/session-start.json')),
      context(
        'SessionStart',
        [
          `huddle: you are agent "${codex}" in room "${ROOM}".`,
          'No checkpoint yet.',
          'No unread messages.',
        ].join('\n'),
      ),
    );
    await assertSessionCreated(api, ROOM, seq, {
      agent: codex,
      client: 'codex',
      cwd: project,
      session_id: '01a1ff9d-d841-76a2-a796-c7acbc2724a0',
      source: 'startup',
    });
  });

  test('a resumed session counts the unread messages', async () => {
    await api.setCheckpoint(ROOM, 'Sessions table: migration 004 next.');
    const m = await send(codex, 'Migration 003 is applied on staging.');
    printed(
      await codexHook('session-start', payload('codex/session-start.json', { source: 'resume' })),
      context(
        'SessionStart',
        [
          `huddle: you are agent "${codex}" in room "${ROOM}" (session resume).`,
          'Checkpoint v1 by machine-b, its first line (the room tool shows it whole):',
          '> Sessions table: migration 004 next.',
          '1 unread message: read with the huddle inbox tool.',
        ].join('\n'),
      ),
    );
    // Still to be shown: the next prompt brings it.
    printed(
      await codexHook('user-prompt-submit', payload('codex/user-prompt-submit.json')),
      context('UserPromptSubmit', messagesText(frame(m, ['Migration 003 is applied on staging.']))),
    );
  });

  test('UserPromptSubmit: nothing new prints nothing; new messages come once', async () => {
    silent(await codexHook('user-prompt-submit', payload('codex/user-prompt-submit.json')));
    const m = await send(codex, 'Use <uuid> keys for sessions.');
    printed(
      await codexHook('user-prompt-submit', payload('codex/user-prompt-submit.json')),
      context('UserPromptSubmit', messagesText(frame(m, ['Use &lt;uuid&gt; keys for sessions.']))),
    );
    silent(await codexHook('user-prompt-submit', payload('codex/user-prompt-submit.json')));
    silent(await codexHook('stop', payload('codex/stop.json')));
  });

  test('Stop with nothing new lets the agent stop: no output, exit 0', async () => {
    silent(await codexHook('stop', payload('codex/stop.json')));
  });

  test('Stop with new messages is blocked, the messages as the reason; once only', async () => {
    const first = await send(codex, 'Before you stop: also index sessions.user_id.');
    const second = await send(codex, 'And drop the old tokens table.');
    printed(await codexHook('stop', payload('codex/stop.json')), {
      decision: 'block',
      reason: messagesText(
        frame(first, ['Before you stop: also index sessions.user_id.']),
        frame(second, ['And drop the old tokens table.']),
      ),
    });
    // Codex runs Stop again after the continued turn, stop_hook_active set: now it may stop.
    silent(await codexHook('stop', payload('codex/stop.json', { stop_hook_active: true })));
  });
});

describe('Gemini CLI', () => {
  test('SessionStart creates the agent offline, records the session, prints the digest', async () => {
    const seq = await seqNow();
    printed(
      await geminiHook('session-start', payload('gemini/session-start.json')),
      context(
        'SessionStart',
        [
          `huddle: you are agent "${gemini}" in room "${ROOM}".`,
          'Checkpoint v1 by machine-b, its first line (the room tool shows it whole):',
          '> Sessions table: migration 004 next.',
          'No unread messages.',
        ].join('\n'),
      ),
    );
    await assertSessionCreated(api, ROOM, seq, {
      agent: gemini,
      client: 'gemini',
      cwd: project,
      session_id: 'f576e61e-9c0b-4f6d-85b6-0d758797c9d4',
      source: 'startup',
    });
  });

  test('after /clear the digest says so, and counts a message shown but never read', async () => {
    const m = await send(gemini, 'Docs: keep the examples in curl.');
    printed(
      await geminiHook('after-tool', payload('gemini/after-tool.json')),
      context('AfterTool', messagesText(frame(m, ['Docs: keep the examples in curl.']))),
    );
    printed(
      await geminiHook('session-start', payload('gemini/session-start.json', { source: 'clear' })),
      context(
        'SessionStart',
        [
          `huddle: you are agent "${gemini}" in room "${ROOM}" (session clear).`,
          'Checkpoint v1 by machine-b, its first line (the room tool shows it whole):',
          '> Sessions table: migration 004 next.',
          '1 unread message: read with the huddle inbox tool.',
        ].join('\n'),
      ),
    );
    await api.ack(ROOM, gemini, [m.id]);
  });

  test('BeforeAgent: {} when there is nothing; new messages once', async () => {
    nothing(await geminiHook('before-agent', payload('gemini/before-agent.json')));
    const m = await send(gemini, 'The /sessions DELETE route is new too.');
    printed(
      await geminiHook('before-agent', payload('gemini/before-agent.json')),
      context('BeforeAgent', messagesText(frame(m, ['The /sessions DELETE route is new too.']))),
    );
    nothing(await geminiHook('before-agent', payload('gemini/before-agent.json')));
    nothing(await geminiHook('after-tool', payload('gemini/after-tool.json')));
  });

  test('AfterTool: {} when there is nothing; new messages once', async () => {
    nothing(await geminiHook('after-tool', payload('gemini/after-tool.json')));
    const m = await send(gemini, 'Routes moved to\nsrc/routes/v2/.');
    printed(
      await geminiHook('after-tool', payload('gemini/after-tool.json')),
      context('AfterTool', messagesText(frame(m, ['Routes moved to', 'src/routes/v2/.']))),
    );
    nothing(await geminiHook('after-tool', payload('gemini/after-tool.json')));
  });

  test('stdin that is not a JSON object: exit 0, {} on stdout, one warning line', async () => {
    assert.deepEqual(await geminiHook('after-tool', '[]'), {
      code: 0,
      stdout: '{}\n',
      stderr: "huddle hook after-tool: the hook's stdin is not a JSON object; skipped.\n",
    });
    const r = await geminiHook('before-agent', '{"prompt": ');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '{}\n');
    assert.match(
      r.stderr,
      /^huddle hook before-agent: the hook's stdin is not JSON \([^\n]+\); skipped\.\n$/,
    );
  });
});

describe('Codex CLI, bad input', () => {
  test('stdin that is not JSON or not an object: exit 0, nothing on stdout, one line', async () => {
    assert.deepEqual(await codexHook('stop', '"Stop"'), {
      code: 0,
      stdout: '',
      stderr: "huddle hook stop: the hook's stdin is not a JSON object; skipped.\n",
    });
    const r = await codexHook('user-prompt-submit', 'prompt=hello');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^huddle hook user-prompt-submit: the hook's stdin is not JSON \([^\n]+\); skipped\.\n$/,
    );
  });
});

describe('one project, two clients', () => {
  test('each client has its own agent: a message to one is not shown to the other', async () => {
    const toGemini = await send(gemini, 'Gemini: the docs need the new endpoints.');
    silent(await codexHook('user-prompt-submit', payload('codex/user-prompt-submit.json')));
    silent(await codexHook('stop', payload('codex/stop.json')));
    const toCodex = await send(codex, 'Codex: rerun the migration.');
    printed(
      await geminiHook('before-agent', payload('gemini/before-agent.json')),
      context(
        'BeforeAgent',
        messagesText(frame(toGemini, ['Gemini: the docs need the new endpoints.'])),
      ),
    );
    nothing(await geminiHook('after-tool', payload('gemini/after-tool.json')));
    printed(await codexHook('stop', payload('codex/stop.json')), {
      decision: 'block',
      reason: messagesText(frame(toCodex, ['Codex: rerun the migration.'])),
    });
  });
});
