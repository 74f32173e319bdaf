// The agent's state from its hooks, as a person sees it in the cockpit: a permission prompt or
// an idle prompt makes it `waiting`, the next tool call or prompt `working`, the end of a turn
// `idle`; for Claude Code, Codex CLI and Gemini CLI, with their payloads, against a real hub.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { openCredentials } from '../../src/cli/credentials.js';
import { huddle, huddleOk } from '../helpers/cli.js';
import { NEUTRAL_ENV, recordedPayload, silent } from '../helpers/hook-io.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'presence-hooks';
let hub: TestHub;
let dir: ReturnType<typeof tempDir>;
let home: string;
let project: string;
let api: HubClient;

before(async () => {
  hub = await startTestHub();
  dir = tempDir('huddle-hooks-presence-');
  home = join(dir.path, 'home');
  project = join(dir.path, 'shop-api');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home);
  const machine = { home, url: hub.url };
  await huddleOk(['create', ROOM, '--label', 'machine-a'], machine);
  for (const name of ['cc', 'cx', 'gm']) await huddleOk(['agent', ROOM, name], machine);
  api = createHubClient({ url: hub.url, token: openCredentials(home).get(hub.url, ROOM)!.token });
});
after(async () => {
  await hub.stop();
  dir.remove();
});

async function hook(client: string, event: string, fixture: string, agent: string) {
  const r = await huddle(['hook', event, '--client', client, '--room', ROOM, '--as', agent], {
    home,
    url: hub.url,
    input: recordedPayload(fixture, project),
    cwd: project,
    env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
  });
  return r;
}

const status = async (agent: string) =>
  (await api.agents(ROOM)).agents.find((a) => a.name === agent)!.status;

test('Claude Code: a permission or idle prompt waits; the next tool call works; the end of a turn is idle', async () => {
  silent(await hook('claude', 'notification', 'claude/notification-permission.json', 'cc'));
  assert.equal(await status('cc'), 'waiting');
  // The person answered in the terminal: the tool runs, and the next call says so.
  await hook('claude', 'pre-tool-use', 'claude/pre-tool-use-bash.json', 'cc');
  assert.equal(await status('cc'), 'working');
  // Without a reported wait, a tool call writes nothing.
  const before = (await api.read(ROOM, 1)).cursor;
  await hook('claude', 'pre-tool-use', 'claude/pre-tool-use-bash.json', 'cc');
  const events = (await api.history(ROOM, before, 100)).events;
  assert.deepEqual(
    events.filter((e) => e.type === 'agent.status'),
    [],
  );

  silent(await hook('claude', 'stop', 'claude/stop.json', 'cc'));
  assert.equal(await status('cc'), 'idle');
  silent(await hook('claude', 'notification', 'claude/notification-idle.json', 'cc'));
  assert.equal(await status('cc'), 'waiting');
  await hook('claude', 'user-prompt-submit', 'claude/user-prompt-submit.json', 'cc');
  assert.equal(await status('cc'), 'working');

  // Other notifications (a login succeeded) change nothing.
  silent(
    await huddle(['hook', 'notification', '--room', ROOM, '--as', 'cc'], {
      home,
      url: hub.url,
      input: JSON.stringify({ hook_event_name: 'Notification', notification_type: 'auth_success' }),
      cwd: project,
      env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
    }),
  );
  assert.equal(await status('cc'), 'working');
});

test('Codex CLI: a prompt works, a stop with nothing to add is idle', async () => {
  await hook('codex', 'user-prompt-submit', 'codex/user-prompt-submit.json', 'cx');
  assert.equal(await status('cx'), 'working');
  silent(await hook('codex', 'stop', 'codex/stop.json', 'cx'));
  assert.equal(await status('cx'), 'idle');
});

test('Gemini CLI: a confirmation waits, the tool after it works, the end of the agent is idle', async () => {
  const r = await hook('gemini', 'notification', 'gemini/notification.json', 'gm');
  assert.deepEqual(r, { code: 0, stdout: '{}\n', stderr: '' });
  assert.equal(await status('gm'), 'waiting');
  await hook('gemini', 'after-tool', 'gemini/after-tool.json', 'gm');
  assert.equal(await status('gm'), 'working');
  await hook('gemini', 'after-agent', 'gemini/after-agent.json', 'gm');
  assert.equal(await status('gm'), 'idle');
  await hook('gemini', 'before-agent', 'gemini/before-agent.json', 'gm');
  assert.equal(await status('gm'), 'working');
});

test('the hub down: the state is lost, the hook still answers as usual', async () => {
  const down = await huddle(['hook', 'notification', '--room', ROOM, '--as', 'cc'], {
    home,
    url: 'http://127.0.0.1:9',
    input: recordedPayload('claude/notification-permission.json', project),
    cwd: project,
    env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
  });
  assert.equal(down.code, 0);
  assert.equal(down.stdout, '');
});
