// The local hub's life from the command line: `huddle serve` owns HUDDLE_HOME/hub.pid, a command
// run while it starts waits for it, stale pid files are recognised, and `huddle status` and
// `huddle stop` see and stop it.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isHubProcess, readHubPid } from '../../src/cli/hub-pid.js';
import { ended, type CliResult } from '../helpers/cli.js';
import { CLI_PATH, RELAXED_LIMITS } from '../helpers/hub.js';
import { envWithoutHuddle, freePort } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Machine {
  t: TestContext;
  home: string;
  port: number;
  env: Record<string, string>;
}

/** A HUDDLE_HOME and a free port with no hub; whatever hub is left at the end is killed. */
async function machine(t: TestContext): Promise<Machine> {
  const dir = tempDir();
  const home = join(dir.path, 'home');
  const port = await freePort();
  const env = envWithoutHuddle({
    HUDDLE_HOME: home,
    HUDDLE_PORT: String(port),
    HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
    HUDDLE_LOG_FORMAT: 'json',
  });
  t.after(async () => {
    const pid = readHubPid(home);
    if (pid !== null && (await isHubProcess(pid))) process.kill(pid, 'SIGKILL');
    dir.remove();
  });
  return { t, home, port, env };
}

function cli(m: Machine, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: m.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    m.t.after(() => child.kill('SIGKILL'));
    ended(child).then(resolve, reject);
  });
}

/** `huddle serve` as a child, as `huddle serve &` starts it. */
function serve(t: TestContext, m: Machine, args: string[] = []) {
  const child = spawn(process.execPath, [CLI_PATH, 'serve', ...args], {
    env: m.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const listening = new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('listening on')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  return { child, exited, listening, logs: () => stderr };
}

const hubStarts = (m: Machine) => {
  const log = join(m.home, 'hub.log');
  return existsSync(log)
    ? (readFileSync(log, 'utf8').match(/"msg":"hub started"/g) ?? []).length
    : 0;
};

/** A process that is alive and is not a hub, for a pid file to name. */
function bystander(t: TestContext): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: 'ignore',
  });
  t.after(() => child.kill('SIGKILL'));
  return child;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

test(
  'huddle serve & followed at once by huddle create: one hub, and hub.pid names it',
  { timeout: 90_000 },
  async (t) => {
    for (let round = 0; round < 3; round++) {
      const m = await machine(t);
      const hub = serve(t, m);
      const created = await cli(m, ['create', 'first']);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout, 'first\n');
      const pid = readHubPid(m.home);
      assert.ok(
        pid !== null && (await isHubProcess(pid)),
        `round ${round}: hub.pid names a running hub`,
      );
      if (pid === hub.child.pid) {
        assert.equal(hubStarts(m), 0, `round ${round}: no hub was started in the background`);
      } else {
        // The scheduler ran the command's own start first: the serve stood down, naming it.
        assert.equal(await hub.exited, 1);
        assert.match(hub.logs(), new RegExp(`already runs or is starting \\(pid ${pid}\\)`));
      }

      const stopped = await cli(m, ['stop']);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.equal(
        stopped.stdout,
        `Stopped the local hub (pid ${pid}, http://127.0.0.1:${m.port}).\n`,
      );
      if (pid === hub.child.pid) assert.equal(await hub.exited, 0, hub.logs());
      assert.ok(!existsSync(join(m.home, 'hub.pid')), 'the hub removed its pid file');
    }
  },
);

test(
  'a second huddle serve of a HUDDLE_HOME whose hub runs is refused, naming it',
  { timeout: 30_000 },
  async (t) => {
    const m = await machine(t);
    const first = serve(t, m);
    await first.listening;
    const second = await cli(m, ['serve', '--port', String(await freePort())]);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`already runs or is starting \\(pid ${first.child.pid}\\)`),
    );
    assert.match(second.stderr, /"huddle stop"/);
    assert.equal(readHubPid(m.home), first.child.pid, 'the running hub keeps its pid file');
  },
);

test(
  'a stale hub.pid (its process gone, or not a hub) is replaced, and its process is left alone',
  { timeout: 60_000 },
  async (t) => {
    const m = await machine(t);
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    const other = bystander(t);
    for (const stale of [gone.pid!, other.pid!]) {
      mkdirSync(m.home, { recursive: true });
      writeFileSync(join(m.home, 'hub.pid'), `${stale}\n`);
      const status = await cli(m, ['status']);
      assert.equal(status.code, 1);
      assert.match(status.stdout, new RegExp(`names pid ${stale}, which is not a running hub`));

      const created = await cli(m, ['create', `room-${stale}`]);
      assert.equal(created.code, 0, created.stderr);
      const hub = readHubPid(m.home)!;
      assert.notEqual(hub, stale);
      assert.ok(await isHubProcess(hub), 'hub.pid names the hub that was started');
      assert.equal((await cli(m, ['stop'])).code, 0);
      assert.ok(!(await isHubProcess(hub)));
    }
    assert.ok(alive(other), 'the process a stale pid file named was not signalled');

    writeFileSync(join(m.home, 'hub.pid'), `${other.pid}\n`);
    const stop = await cli(m, ['stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /^No local hub is running: nothing answers at /);
    assert.match(stop.stdout, new RegExp(`which named pid ${other.pid}, not a running hub`));
    assert.ok(alive(other), 'huddle stop signals only a huddle hub');
    assert.ok(!existsSync(join(m.home, 'hub.pid')));
  },
);

test(
  'huddle status and huddle stop: nothing running, running, then stopped',
  { timeout: 30_000 },
  async (t) => {
    const m = await machine(t);
    const url = `http://127.0.0.1:${m.port}`;
    const none = await cli(m, ['status']);
    assert.equal(none.code, 1);
    assert.equal(
      none.stdout,
      `No hub answers at ${url}. The local hub starts on first use, or with "huddle serve".\n`,
    );
    const noStop = await cli(m, ['stop']);
    assert.deepEqual(
      [noStop.code, noStop.stdout],
      [0, `No local hub is running: nothing answers at ${url}.\n`],
    );
    assert.ok(!existsSync(join(m.home, 'hub.pid')), 'status and stop start no hub');

    assert.equal((await cli(m, ['create', 'r'])).code, 0);
    const pid = readHubPid(m.home)!;
    const running = await cli(m, ['status']);
    assert.equal(running.code, 0, running.stderr);
    assert.match(
      running.stdout,
      new RegExp(
        [
          `^Hub      ${url} \\(running\\)`,
          `Process  pid ${pid}, up \\d+ s`,
          `Store    sqlite:${m.home}/huddle\\.db`,
          'Rooms    1',
          'Agents   0 online',
          'Version  0\\.1\\.0\\n$',
        ].join('\\n'),
      ),
    );
    const json = JSON.parse((await cli(m, ['status', '--json'])).stdout);
    assert.equal(json.running, true);
    assert.equal(json.hub.local.pid, pid);
    assert.equal(json.hub.local.rooms, 1);

    const stopped = await cli(m, ['stop', '--json']);
    assert.deepEqual(JSON.parse(stopped.stdout), { stopped: true, pid, url });
    assert.ok(!(await isHubProcess(pid)), 'stop returns once the hub is gone');
    assert.ok(!existsSync(join(m.home, 'hub.pid')));
    assert.equal((await cli(m, ['status'])).code, 1);
  },
);

test(
  'a command gives up at once, with the reason, when the hub it starts cannot start',
  { timeout: 30_000 },
  async (t) => {
    const m = await machine(t);
    m.env.HUDDLE_STORE = 'mysql://nowhere/huddle';
    const started = Date.now();
    const r = await cli(m, ['create', 'r']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^huddle: The local hub stopped while starting: .*mysql:/);
    assert.ok(Date.now() - started < 10_000, 'without waiting out the start timeout');
  },
);

test(
  'a command does not wait on a hub of its HUDDLE_HOME that runs on another port',
  { timeout: 30_000 },
  async (t) => {
    const m = await machine(t);
    const hub = serve(t, m, ['--port', String(await freePort())]);
    await hub.listening;
    // Started longer ago than a start takes.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(m.home, 'hub.pid'), past, past);
    const started = Date.now();
    const r = await cli(m, ['create', 'r']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `\\(pid ${hub.child.pid}\\) runs but does not answer at http://127\\.0\\.0\\.1:${m.port}`,
      ),
    );
    assert.ok(Date.now() - started < 5_000, 'without waiting out the start timeout');
  },
);
