// HUDDLE_HOME and everything huddle writes there, the database included, is private to its user:
// created so, and set back so at start when an older version or a loose umask left them open.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import { startHub } from '../../src/server/listen.js';
import { createLogger } from '../../src/server/logger.js';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';
import { CLI_PATH, RELAXED_LIMITS, spawnHub, type ChildHub } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

const dirs: Array<ReturnType<typeof tempDir>> = [];
const hubs: ChildHub[] = [];
let backgroundPid: number | undefined;
after(async () => {
  for (const h of hubs) await h.stop('SIGKILL');
  stopBackgroundHub(backgroundPid);
  for (const d of dirs) d.remove();
});

const mode = (path: string) => statSync(path).mode & 0o777;
const PRIVATE_NOTICE = 'made files private to this user (0600, directories 0700)';

function newDir() {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

async function start(home: string, env: Record<string, string> = {}) {
  const hub = await spawnHub(home, env);
  hubs.push(hub);
  return hub;
}

async function createRoomWithNote(url: string, room: string) {
  const res = await fetch(`${url}/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: room, label: 'admin' }),
  });
  assert.equal(res.status, 201);
  const { token } = (await res.json()) as { token: string };
  const note = await fetch(`${url}/v1/rooms/${room}/notes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'a private note' }),
  });
  assert.equal(note.status, 201);
}

function notices(logs: string): Array<{ paths: string[] }> {
  return logs
    .split('\n')
    .filter((line) => line.includes(PRIVATE_NOTICE))
    .map((line) => JSON.parse(line) as { paths: string[] });
}

test('a hub on a new HUDDLE_HOME creates it 0700 and its files 0600', async () => {
  const home = join(newDir(), 'home');
  const hub = await start(home);
  await createRoomWithNote(hub.url, 'fresh');
  assert.equal(mode(home), 0o700);
  for (const name of ['huddle.db', 'huddle.db-wal', 'huddle.db-shm', 'local.secret'])
    assert.equal(mode(join(home, name)), 0o600, name);
  assert.deepEqual(notices(hub.logs()), [], 'nothing to tighten, nothing said');
  await hub.stop();
});

test('a hub makes loose files private at start and says so in one line', async () => {
  const home = join(newDir(), 'home');
  // A hub killed mid-run leaves its database, -wal and -shm files behind.
  const first = await start(home);
  await createRoomWithNote(first.url, 'loose');
  await first.stop('SIGKILL');
  writeFileSync(join(home, 'settings.json'), '{}\n');
  writeFileSync(join(home, 'config.json'), '{"version":1,"hubs":{}}\n');
  writeFileSync(join(home, 'hub.log'), '');
  mkdirSync(join(home, 'run'));
  writeFileSync(join(home, 'run', 'client-1.json'), '{}');
  writeFileSync(join(home, 'notes.txt'), 'not huddle’s');
  const loose = [
    home,
    join(home, 'config.json'),
    join(home, 'huddle.db'),
    join(home, 'huddle.db-shm'),
    join(home, 'huddle.db-wal'),
    join(home, 'hub.log'),
    join(home, 'local.secret'),
    join(home, 'run'),
    join(home, 'run', 'client-1.json'),
    join(home, 'settings.json'),
  ];
  for (const path of loose) chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  chmodSync(join(home, 'notes.txt'), 0o644);

  const hub = await start(home);
  for (const path of loose)
    assert.equal(mode(path), statSync(path).isDirectory() ? 0o700 : 0o600, path);
  assert.equal(mode(join(home, 'notes.txt')), 0o644, 'a file huddle does not write is left alone');
  const said = notices(hub.logs());
  assert.equal(said.length, 1, hub.logs());
  assert.deepEqual([...said[0]!.paths].sort(), [...loose].sort());
  await hub.stop();
});

test('a store outside HUDDLE_HOME is private too; its existing directory keeps its mode', async () => {
  const root = newDir();
  const data = join(root, 'data');
  mkdirSync(data);
  chmodSync(data, 0o755);
  const lines: string[] = [];
  const { config } = loadConfig({
    env: {
      HUDDLE_HOME: join(root, 'home'),
      HUDDLE_PORT: '0',
      HUDDLE_STORE: `sqlite:${join(data, 'hub.db')}`,
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    },
    homedir: root,
  });
  // In this process, with the test's own umask: the modes come from huddle, not from the umask.
  const hub = await startHub(
    config,
    createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }),
  );
  try {
    await createRoomWithNote(hub.url, 'elsewhere');
    for (const name of ['hub.db', 'hub.db-wal', 'hub.db-shm'])
      assert.equal(mode(join(data, name)), 0o600, name);
    assert.equal(mode(data), 0o755);
    assert.equal(mode(join(root, 'home')), 0o700);
    assert.deepEqual(notices(lines.join('')), []);
  } finally {
    await hub.close();
  }
});

test('the CLI and the hub it starts in the background write private files', async () => {
  const home = join(newDir(), 'home');
  const env = envWithoutHuddle({
    HUDDLE_HOME: home,
    HUDDLE_PORT: String(await freePort()),
    HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
  });
  await promisify(execFile)(process.execPath, [CLI_PATH, 'create', 'background'], { env });
  backgroundPid = backgroundHubPid(home);
  assert.equal(mode(home), 0o700);
  for (const name of ['hub.log', 'hub.pid', 'config.json', 'local.secret', 'huddle.db'])
    assert.equal(mode(join(home, name)), 0o600, name);
});
