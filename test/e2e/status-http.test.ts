// GET /v1/status over HTTP, and `huddle status --hub URL`: details only with the local secret.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { huddle } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

let hub: TestHub;
let secret: string;

before(async () => {
  hub = await startTestHub();
  secret = readFileSync(join(hub.home, 'local.secret'), 'utf8').trim();
});
after(() => hub.stop());

const status = (headers: Record<string, string> = {}) =>
  fetch(`${hub.url}/v1/status`, { headers }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

test('GET /v1/status answers version and uptime to anyone', async () => {
  const r = await status();
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body).sort(), ['started_at', 'uptime_seconds', 'version']);
});

test('with X-Huddle-Local-Secret it adds the pid, the masked store, rooms and agents online', async () => {
  const r = await status({ 'x-huddle-local-secret': secret });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.local, {
    pid: process.pid,
    store: hub.config.store,
    rooms: 0,
    agents_online: 0,
  });
  const wrong = await status({ 'x-huddle-local-secret': 'guess' });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.error.code, 'invalid_local_secret');
});

test('huddle status --hub shows the details only with the hub’s HUDDLE_HOME', async () => {
  const own = await huddle(['status'], { home: hub.home, url: hub.url });
  assert.equal(own.code, 0, own.stderr);
  assert.match(own.stdout, new RegExp(`^Hub {6}${hub.url} \\(running\\)\\n`));
  assert.match(own.stdout, new RegExp(`\\nProcess  pid ${process.pid}, up \\d+ s\\n`));
  assert.match(own.stdout, /\nRooms    0\n/);
  assert.match(own.stdout, /\nAgents   0 online\n/);
  assert.match(own.stdout, /\nVersion  0\.1\.0\n/);

  const other = tempDir();
  try {
    const r = await huddle(['status'], { home: other.path, url: hub.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nUptime   \d+ s\n/);
    assert.doesNotMatch(r.stdout, /^(Process|Store|Rooms|Agents) /m);
    assert.match(r.stdout, /not shown: there is no local secret in /);
  } finally {
    other.remove();
  }
});
