// The local hub's pid file: claimed by `huddle serve`, kept from a second hub, recognised as stale
// when its process is gone or is not a hub, and removed only by its own hub.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  claimHubPid,
  isHubProcess,
  isServeCommand,
  readHubPid,
  releaseHubPid,
} from '../../src/cli/hub-pid.js';
import { tempDir } from '../helpers/temp-dir.js';

function home(t: TestContext): string {
  const dir = tempDir();
  t.after(() => dir.remove());
  return join(dir.path, 'home');
}

/** A live process; with `serve`, its command line looks like `node .../main.js serve`. */
function sleeper(t: TestContext, serve: boolean): number {
  const args = [
    '-e',
    'setTimeout(() => {}, 60_000)',
    ...(serve ? ['dist/src/cli/main.js', 'serve'] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  return child.pid!;
}

describe('hub pid file', () => {
  it('tells a huddle serve command line from others', () => {
    assert.ok(isServeCommand(['node', '/repo/dist/src/cli/main.js', 'serve']));
    assert.ok(
      isServeCommand(['node', '/usr/local/bin/huddle', '--home', '/h', 'serve', '--port', '0']),
    );
    assert.ok(isServeCommand(['node', 'dist/src/cli/main.js', 'serve', '--stop-with-parent']));
    assert.ok(!isServeCommand(['node', '/repo/dist/src/cli/main.js', 'read', 'room']));
    assert.ok(!isServeCommand(['sleep', '60']));
    assert.ok(!isServeCommand(['node', 'serve.js', 'serve']));
    assert.ok(!isServeCommand([]));
  });

  it('is claimed when missing, and again by the same process', async (t) => {
    const h = home(t);
    assert.equal(await claimHubPid(h, process.pid), null);
    assert.equal(readFileSync(join(h, 'hub.pid'), 'utf8'), `${process.pid}\n`);
    assert.equal(await claimHubPid(h, process.pid), null);
    assert.equal(readHubPid(h), process.pid);
  });

  it('is kept from a second hub while its own hub lives, which is named instead', async (t) => {
    const h = home(t);
    const hub = sleeper(t, true);
    assert.ok(await isHubProcess(hub));
    assert.equal(await claimHubPid(h, hub), null);
    assert.equal(await claimHubPid(h, process.pid), hub);
    assert.equal(readHubPid(h), hub);
    releaseHubPid(h, process.pid);
    assert.equal(readHubPid(h), hub, 'only its own hub removes it');
    releaseHubPid(h, hub);
    assert.equal(readHubPid(h), null);
  });

  it('is stale when its process is gone, is not a hub, or the file holds no pid', async (t) => {
    const h = home(t);
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const other = sleeper(t, false);
    assert.equal(await isHubProcess(gone.pid!), false);
    assert.equal(await isHubProcess(other), false);
    for (const stale of [String(gone.pid), String(other), 'not a pid', '']) {
      mkdirSync(h, { recursive: true });
      writeFileSync(join(h, 'hub.pid'), `${stale}\n`);
      assert.equal(await claimHubPid(h, process.pid), null, `stale: ${stale}`);
      assert.equal(readHubPid(h), process.pid);
    }
  });
});
