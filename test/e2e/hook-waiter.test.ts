// The message waiter, `huddle hook wait`, as Claude Code runs it (an asyncRewake hook from
// SessionStart and Stop): it long-polls the hub and exits 2 with the framed message on stderr as
// soon as one arrives for its agent, which wakes the idle session. One waiter per session (a lock
// file under HUDDLE_HOME/run); it ends by itself before the client's timeout; a refusal by the
// hub wakes the session once, not after every turn.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { openCredentials } from '../../src/cli/credentials.js';
import type { Message } from '../../src/core/types.js';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  NEUTRAL_ENV,
  frame as frameIn,
  messagesText,
  recordedPayload,
} from '../helpers/hook-io.js';

const ROOM = 'waiter';

let hub: TestHub;
let dir: ReturnType<typeof tempDir>;
let home: string;
let project: string;
/** The session's agent: the name the hook takes in the project without --as. */
let agent: string;
let api: HubClient;

/** A recorded Claude Code payload for session `session`, its "/PROJECT" paths in `project`. */
const payload = (name: string, session: string) =>
  recordedPayload(name, project, { session_id: session });

/** Claude Code runs the waiter from Stop (and from SessionStart): this is the Stop payload. */
const stopPayload = (session: string) => payload('claude/stop.json', session);

interface Waiter {
  child: ChildProcess;
  /** Resolves when it exits, with what it printed and when it exited. */
  exited: Promise<CliResult & { at: number }>;
  running(): boolean;
}

/** Starts `huddle hook wait` for `session`; it is killed after the test if still running. */
function startWaiter(
  t: TestContext,
  session: string,
  options: { home?: string; args?: string[] } = {},
): Waiter {
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'hook', 'wait', '--room', ROOM, ...(options.args ?? [])],
    {
      cwd: project,
      env: {
        ...process.env,
        ...NEUTRAL_ENV,
        HUDDLE_HOME: options.home ?? home,
        HUDDLE_URL: hub.url,
        CLAUDE_PROJECT_DIR: project,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let at = 0;
  child.on('exit', () => (at = Date.now()));
  const exited = new Promise<CliResult & { at: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, at }));
  });
  child.stdin!.end(stopPayload(session));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, exited, running: () => child.exitCode === null && child.signalCode === null };
}

/**
 * Resolves when the next long-poll of the inbox for `name` reaches the hub: the waiter is then
 * waiting on the hub, not starting up.
 */
let pollWaiters: Array<{ agent: string; resolve: () => void }> = [];
function nextPoll(name: string): Promise<void> {
  return new Promise((resolve) => pollWaiters.push({ agent: name, resolve }));
}

/** The pid a session's lock names (the file holds the pid and its start time). */
const lockHolder = (session: string) =>
  Number(readFileSync(lockPath(session), 'utf8').trim().split(' ')[0]);

const lockPath = (session: string, machine = home) =>
  join(machine, 'run', `waiter-${session}.lock`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const frame = (m: Message, quoted: string[]) => frameIn(ROOM, m, quoted);

const send = async (to: string, body: string) =>
  (await api.send(ROOM, 'bob', { to, body })).message;

/** A second machine joined to the room with a member of its own, and its agent. */
async function secondMachine(label: string, agentName: string): Promise<string> {
  const machine = join(dir.path, label);
  mkdirSync(machine);
  const { code } = await api.createCode(ROOM, { scopes: ['read', 'write'] });
  await huddleOk(['join', code, '--label', label], { home: machine, url: hub.url });
  await huddleOk(['agent', ROOM, agentName], { home: machine, url: hub.url });
  return machine;
}

before(async () => {
  hub = await startTestHub();
  const inject = hub.hub.messaging.injectInbox;
  hub.hub.messaging.injectInbox = (call, input, signal) => {
    if (input?.wait) {
      const ready = pollWaiters.filter((w) => w.agent === call.agent);
      pollWaiters = pollWaiters.filter((w) => w.agent !== call.agent);
      for (const w of ready) w.resolve();
    }
    return inject(call, input, signal);
  };
  dir = tempDir('huddle-hook-waiter-');
  home = join(dir.path, 'home');
  project = join(dir.path, 'shop-api');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home);
  const hash = createHash('sha256').update(project).digest('hex').slice(0, 4);
  agent = `claude-shop-api-${hash}`;
  const machine = { home, url: hub.url };
  await huddleOk(['create', ROOM, '--label', 'machine-a'], machine);
  await huddleOk(['agent', ROOM, 'bob'], machine);
  await huddleOk(['agent', ROOM, 'carol'], machine);
  const { token } = openCredentials(home).get(hub.url, ROOM)!;
  api = createHubClient({ url: hub.url, token });
  // Claude Code runs session-start next to the waiter: it creates the session's agent.
  await huddleOk(['hook', 'session-start', '--room', ROOM], {
    ...machine,
    cwd: project,
    input: payload('claude/session-start.json', 'setup'),
    env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
  });
});
after(async () => {
  await hub.stop();
  dir.remove();
});

describe('waking the session', () => {
  test('a message to its agent ends it within 1 s: exit 2, the framed message on stderr', async (t) => {
    const polled = nextPoll(agent);
    const waiter = startWaiter(t, 'wake');
    await polled;
    assert.ok(existsSync(lockPath('wake')));
    const m = await send(agent, 'Tests are green on main; <rebase> now.');
    const acked = Date.now();
    const r = await waiter.exited;
    assert.ok(r.at - acked < 1000, `exited ${r.at - acked} ms after the send`);
    assert.deepEqual(
      { code: r.code, stdout: r.stdout, stderr: r.stderr },
      {
        code: 2,
        stdout: '',
        stderr: messagesText(frame(m, ['Tests are green on main; &lt;rebase&gt; now.'])) + '\n',
      },
    );
    assert.equal(existsSync(lockPath('wake')), false, 'the lock is removed');
    // Shown once: the next tool call has nothing more to show.
    const next = await huddle(['hook', 'pre-tool-use', '--room', ROOM], {
      home,
      url: hub.url,
      cwd: project,
      input: payload('claude/pre-tool-use-bash.json', 'wake'),
      env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
    });
    assert.deepEqual(next, { code: 0, stdout: '', stderr: '' });
  });

  test('a message to another agent does not end it; then one to its agent does', async (t) => {
    const polled = nextPoll(agent);
    const waiter = startWaiter(t, 'other');
    await polled;
    await send('carol', 'Carol only.');
    await sleep(1000);
    assert.ok(waiter.running(), 'still waiting a second after a message to another agent');
    const m = await send(agent, 'Now you.');
    const r = await waiter.exited;
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, messagesText(frame(m, ['Now you.'])) + '\n');
  });
});

describe('one waiter per session', () => {
  test('a second waiter exits 0 at once, silent; after the first ends a new one starts', async (t) => {
    const polled = nextPoll(agent);
    const first = startWaiter(t, 'single');
    await polled;
    assert.equal(lockHolder('single'), first.child.pid);

    const second = await huddle(['hook', 'wait', '--room', ROOM], {
      home,
      url: hub.url,
      cwd: project,
      input: stopPayload('single'),
      env: { ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project },
    });
    assert.deepEqual(second, { code: 0, stdout: '', stderr: '' });
    assert.ok(first.running());
    assert.equal(lockHolder('single'), first.child.pid);

    await send(agent, 'Wake the first.');
    assert.equal((await first.exited).code, 2);
    assert.equal(existsSync(lockPath('single')), false);

    const polledAgain = nextPoll(agent);
    const third = startWaiter(t, 'single');
    await polledAgain;
    assert.equal(lockHolder('single'), third.child.pid);
    const m = await send(agent, 'Wake the third.');
    const r = await third.exited;
    assert.deepEqual([r.code, r.stderr], [2, messagesText(frame(m, ['Wake the third.'])) + '\n']);
  });

  test('a lock left by a dead waiter is taken over; one held by a live process is not', async (t) => {
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    mkdirSync(join(home, 'run'), { recursive: true });
    writeFileSync(lockPath('orphan'), `${deadPid}\n`);

    const polled = nextPoll(agent);
    const waiter = startWaiter(t, 'orphan');
    await polled;
    assert.equal(lockHolder('orphan'), waiter.child.pid);
    await send(agent, 'Taken over.');
    assert.equal((await waiter.exited).code, 2);

    // This test's own process is alive: its lock stands, and the waiter leaves quietly.
    writeFileSync(lockPath('held'), `${process.pid}\n`);
    const r = await startWaiter(t, 'held').exited;
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
    assert.equal(readFileSync(lockPath('held'), 'utf8'), `${process.pid}\n`);

    // A lock naming a live pid with another start time is from before a reboot: taken over.
    writeFileSync(lockPath('rebooted'), `${process.pid} 1\n`);
    const polledAgain = nextPoll(agent);
    const after = startWaiter(t, 'rebooted');
    await polledAgain;
    assert.equal(lockHolder('rebooted'), after.child.pid);
    await send(agent, 'After the reboot.');
    assert.equal((await after.exited).code, 2);
  });
});

describe('ending by itself', () => {
  test('--timeout 5 ends it before the client would: exit 2, saying it starts again', async (t) => {
    const started = Date.now();
    // A short hook timeout gives a lifetime of half of it (2.5 s), ending a second early.
    const r = await startWaiter(t, 'timeout', { args: ['--timeout', '5'] }).exited;
    const took = r.at - started;
    await t.test('ends by itself, well before the hook timeout', () => {
      assert.ok(took >= 1500 && took < 8000, `ended after ${took} ms`);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^huddle: no message for this agent for [^\n]+; the message waiter starts again when this turn ends\.\n$/,
      );
      assert.equal(existsSync(lockPath('timeout')), false);
    });
    await t.test('says truly how long it waited', () => {
      assert.match(r.stderr, /for 3 s;/);
    });
  });

  test('a --timeout that is not a number does not wake the session', async (t) => {
    const waiter = startWaiter(t, 'bad-timeout', { args: ['--timeout', 'soon'] });
    const r = await Promise.race([waiter.exited, sleep(2000).then(() => null)]);
    if (r === null) return; // still waiting (a default used instead): acceptable
    assert.notEqual(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /NaN/);
    assert.match(r.stderr, /--timeout/);
  });
});

describe('refused by the hub', () => {
  test('a revoked member: exit 2 once saying the waiter stopped; the next waiter of the session exits 0', async (t) => {
    const machine = await secondMachine('machine-w', 'wanda');
    await huddleOk(['revoke', ROOM, 'machine-w'], { home, url: hub.url });

    const first = await startWaiter(t, 'revoked', { home: machine, args: ['--as', 'wanda'] })
      .exited;
    const again = await startWaiter(t, 'revoked', { home: machine, args: ['--as', 'wanda'] })
      .exited;
    await t.test('the first wakes the session once, saying the waiter stopped and why', () => {
      assert.equal(first.code, 2);
      assert.equal(first.stdout, '');
      assert.match(
        first.stderr,
        /^huddle: the message waiter stopped: The token is not valid: it was revoked[^\n]+ Messages still arrive with each tool call\.\n$/,
      );
    });
    await t.test('the next waiter of the session exits 0: no second wake', () => {
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, '');
      assert.equal(existsSync(lockPath('revoked', machine)), false);
    });
    await t.test('the line reads as sentences, without a doubled period', () => {
      assert.doesNotMatch(first.stderr, /\.\./);
    });
  });

  test('an agent not registered yet: the waiter waits for it, then wakes as usual', async (t) => {
    // At session start the waiter can run before the bridge or SessionStart registered the agent.
    const waiter = startWaiter(t, 'ghost', { args: ['--as', 'ghost'] });
    const early = await Promise.race([waiter.exited, sleep(1000).then(() => null)]);
    assert.equal(early, null, 'it does not give up at once');
    const polled = nextPoll('ghost');
    await huddleOk(['agent', ROOM, 'ghost'], { home, url: hub.url });
    await polled;
    const m = await send('ghost', 'Welcome.');
    const r = await waiter.exited;
    assert.deepEqual([r.code, r.stderr], [2, messagesText(frame(m, ['Welcome.'])) + '\n']);
  });

  // The long-poll checks the token each time it wakes, not only when it starts.
  test('a member revoked while its waiter waits does not get later messages', async (t) => {
    const machine = await secondMachine('machine-v', 'vera');
    const polled = nextPoll('vera');
    const waiter = startWaiter(t, 'revoked-later', { home: machine, args: ['--as', 'vera'] });
    await polled;
    await huddleOk(['revoke', ROOM, 'machine-v'], { home, url: hub.url });
    await send('vera', 'Secret plan for after the revocation.');
    const r = await Promise.race([waiter.exited, sleep(3000).then(() => null)]);
    if (r === null) return; // still waiting, and it got nothing
    assert.doesNotMatch(r.stderr, /Secret plan/);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^huddle: the message waiter stopped: /);
  });
});
