// `huddle open` and `huddle pair` for browsers: a one-time sign-in link for the local hub's owner
// (which starts the hub on first use), and a join link, with a QR code on request.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { backgroundHubPid, stopBackgroundHub } from '../helpers/background-hub.js';
import { ended } from '../helpers/cli.js';
import { CLI_PATH, RELAXED_LIMITS } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

const home = tempDir();
let hubPid: number | undefined;
after(() => {
  stopBackgroundHub(hubPid);
  home.remove();
});

async function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await ended(child);
  assert.equal(result.code, 0, `huddle ${args.join(' ')}: ${result.stderr}`);
  return result;
}

test(
  'huddle open prints a link that signs in once; huddle pair prints a join link and a QR code',
  { timeout: 60_000 },
  async () => {
    const port = await freePort();
    const env = envWithoutHuddle({
      HUDDLE_HOME: home.path,
      HUDDLE_PORT: String(port),
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    });
    await run(['create', 'open-room'], env);
    hubPid = backgroundHubPid(home.path);

    const opened = JSON.parse((await run(['open', 'open-room', '--print', '--json'], env)).stdout);
    assert.equal(opened.opened, false);
    const url = new URL(opened.url);
    assert.equal(url.origin, `http://127.0.0.1:${port}`);
    assert.equal(url.pathname, '/open');
    const fragment = new URLSearchParams(url.hash.slice(1));
    assert.equal(fragment.get('room'), 'open-room');
    const ticket = fragment.get('t')!;
    const sign = () =>
      fetch(`${url.origin}/v1/web/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ticket }),
      });
    const first = await sign();
    assert.equal(first.status, 201);
    const body = (await first.json()) as any;
    assert.deepEqual(
      body.rooms.map((r: any) => r.room.name),
      ['open-room'],
    );
    assert.equal((await sign()).status, 404, 'the link works once');

    const text = await run(['open', '--print'], env);
    assert.match(
      text.stdout,
      /Open this link within 30 seconds \(it works once\):\n {2}http:\/\/127\.0\.0\.1:\d+\/open#t=ht_/,
    );

    const paired = await run(['pair', 'open-room', '--qr'], env);
    assert.match(
      paired.stdout,
      new RegExp(`http://127\\.0\\.0\\.1:${port}/join#[A-Z0-9]{4}-[A-Z0-9]{4}`),
    );
    assert.match(paired.stdout, /[▀▄█]{10}/, 'a QR code drawn with half blocks');
    const json = JSON.parse((await run(['pair', 'open-room', '--json'], env)).stdout);
    assert.equal(json.link, `http://127.0.0.1:${port}/join#${json.code}`);
  },
);
