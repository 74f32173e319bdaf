// A command whose reader goes away (`huddle export room | head`) ends quietly: no EPIPE, no stack.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import { ended, type CliResult, huddleOk } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'big';

let hub: TestHub;
let home: ReturnType<typeof tempDir>;

before(async () => {
  hub = await startTestHub();
  home = tempDir();
  await huddleOk(['create', ROOM], { home: home.path, url: hub.url });
  const config = JSON.parse(readFileSync(join(home.path, 'config.json'), 'utf8'));
  const token = config.hubs[hub.url].rooms[ROOM].token as string;
  const client = createHubClient({ url: hub.url, token });
  // Far more than a pipe holds (64 KiB), so the export is still writing when its reader leaves.
  const line = 'x'.repeat(2000);
  for (let i = 0; i < 200; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, j) => client.writeNote(ROOM, `note ${i + j} ${line}`)),
    );
  }
});
after(async () => {
  await hub.stop();
  home.remove();
});

/** Runs a shell pipeline in which `$HUDDLE` runs the built command. */
function pipeline(script: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script.replaceAll('$HUDDLE', '"$NODE" "$CLI"')], {
      env: {
        ...process.env,
        HUDDLE_HOME: home.path,
        HUDDLE_URL: hub.url,
        NODE: process.execPath,
        CLI: CLI_PATH,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ended(child).then(resolve, reject);
  });
}

/** Runs `huddle args` with the read end of standard output, or error, closed before it writes. */
function withClosedReader(args: string[], closed: 'stdout' | 'stderr'): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { ...process.env, HUDDLE_HOME: home.path, HUDDLE_URL: hub.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child[closed].destroy();
    ended(child).then(resolve, reject);
  });
}

test(
  'huddle export ROOM | head ends quietly and exits 0, every time',
  { timeout: 60_000 },
  async () => {
    for (let i = 0; i < 6; i++) {
      const format = i % 2 === 0 ? 'md' : 'jsonl';
      const reader = i % 3 === 0 ? 'head -n 1' : 'head -c 300';
      // huddle's own exit status goes to standard error, after whatever huddle wrote there.
      const r = await pipeline(
        `{ $HUDDLE export ${ROOM} --format ${format}; echo "huddle exited $?" >&2; } | ${reader} >/dev/null`,
      );
      assert.equal(r.stderr, 'huddle exited 0\n', `try ${i} (${format} | ${reader})`);
    }
  },
);

test('a command whose standard output is closed before it writes exits 0 without a word', async () => {
  for (const args of [
    ['export', ROOM],
    ['read', ROOM],
    ['history', ROOM],
    ['watch', ROOM],
  ]) {
    const r = await withClosedReader(args, 'stdout');
    assert.deepEqual([r.code, r.stderr], [0, ''], args.join(' '));
  }
});

test('a command whose standard error is closed still ends with its own exit code', async () => {
  // A usage error (2) and a refusal (1) are reported on standard error, which nobody reads.
  assert.equal((await withClosedReader(['read'], 'stderr')).code, 2);
  assert.equal((await withClosedReader(['read', 'no-such-room'], 'stderr')).code, 1);
  const json = await withClosedReader(['read', 'no-such-room', '--json'], 'stderr');
  assert.equal(json.code, 1);
  assert.match(json.stdout, /"error"/);
});
