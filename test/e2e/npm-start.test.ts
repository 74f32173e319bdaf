// `npm start` from a clone: npm runs the hub under `sh -c`, so a signal to npm alone never reaches
// the hub. Stopping npm (as a process manager does) or pressing Ctrl-C must stop the hub, and the
// hints it prints must work as typed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import { createHubClient } from '../../src/client/hub-client.js';
import { isHubProcess, readHubPid } from '../../src/cli/hub-pid.js';
import { RELAXED_LIMITS } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The clone: dist/test/e2e/ is three levels below it. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const answers = (url: string) =>
  createHubClient({ url, timeoutMs: 1000 })
    .health()
    .then(
      () => true,
      () => false,
    );

/** `npm start` in its own process group, as a terminal runs it; returns once the hub answers. */
async function npmStart(t: TestContext) {
  const dir = tempDir();
  const home = join(dir.path, 'home');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = envWithoutHuddle({
    HUDDLE_HOME: home,
    HUDDLE_PORT: String(port),
    HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    HUDDLE_LOG_FORMAT: 'json',
  });
  const npm = spawn(NPM, ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
  npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  t.after(async () => {
    // Whatever outlived the test: the hub first, then the group.
    const pid = readHubPid(home);
    if (pid !== null && (await isHubProcess(pid))) process.kill(pid, 'SIGKILL');
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the group is gone
    }
    dir.remove();
  });
  await until(
    'the hub of npm start to answer',
    async () => readHubPid(home) !== null && answers(url),
  );
  await until('the hints', () => output.includes('Stop with Ctrl-C'));
  return { npm, npmExited, home, url, env, hubPid: readHubPid(home)!, output: () => output };
}

async function assertHubStopped(started: Awaited<ReturnType<typeof npmStart>>) {
  await until('the hub to stop', async () => !(await isHubProcess(started.hubPid)), 10_000);
  assert.equal(await answers(started.url), false);
  assert.ok(!existsSync(join(started.home, 'hub.pid')), 'the hub removed its pid file');
  assert.match(started.output(), /"msg":"hub stopped"/, 'it shut down cleanly');
}

test('npm start: SIGTERM to the npm process stops the hub', { timeout: 60_000 }, async (t) => {
  const started = await npmStart(t);
  process.kill(started.npm.pid!, 'SIGTERM');
  await started.npmExited;
  await assertHubStopped(started);
});

test(
  'npm start: Ctrl-C (SIGINT to the process group) stops the hub',
  { timeout: 60_000 },
  async (t) => {
    const started = await npmStart(t);
    process.kill(-started.npm.pid!, 'SIGINT');
    await started.npmExited;
    await assertHubStopped(started);
  },
);

test('npm start prints hints that work as typed in the clone', { timeout: 60_000 }, async (t) => {
  const started = await npmStart(t);
  /** A command run in the clone as a person would type it. */
  const typed = (command: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const sh = spawn('sh', ['-c', command], {
        cwd: ROOT,
        env: started.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
      sh.stderr.on('data', (d: Buffer) => (out += d.toString()));
      sh.on('close', (code) => resolve({ code, out }));
    });
  const hint = /^ {2}(.+ create my-room)\s+#/m.exec(started.output());
  assert.ok(hint, started.output());
  assert.deepEqual(await typed(hint[1]!), { code: 0, out: 'my-room\n' }, hint[1]);
  // The cockpit's hint too, printing its one-time link instead of opening a browser.
  const open = /^ {2}(.+ open)\s+#/m.exec(started.output());
  assert.ok(open, started.output());
  const link = await typed(`${open[1]} --print`);
  assert.equal(link.code, 0, link.out);
  assert.match(link.out, new RegExp(`${started.url}/open#t=ht_`));
  process.kill(started.npm.pid!, 'SIGTERM');
  await assertHubStopped(started);
});
