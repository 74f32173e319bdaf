// The world the fuzz tests attack: an in-process hub whose error logs are kept, one room with an
// admin device, a person who may approve, agents, tasks, messages, leases, a variable and an
// approval (so generated requests reach past their 404s), plus the checks every property shares.

import assert from 'node:assert/strict';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startHub } from '../../src/server/listen.js';
import type { Logger } from '../../src/server/logger.js';
import { RELAXED_LIMITS, type TestHub } from './hub.js';
import { addPerson } from './person-member.js';
import { rawHttp, type RawResponse } from './raw-http.js';
import { tempDir } from './temp-dir.js';

export const ROOM = 'fuzz';
/** The admin device's agents; `ada` holds a task, a lease and an approval request. */
export const AGENTS = ['ada', 'bob'] as const;
/** The person's agent. */
export const PERSON_AGENT = 'alice';

export interface FuzzWorld {
  hub: TestHub;
  /** The admin device's token (scopes `admin`). */
  admin: string;
  /** A person's token (`read`, `write`, `approve`): approvals and Web Push are theirs. */
  person: string;
  api: HubClient;
  /** Ids that exist in the room, for path parameters and id fields. */
  ids: {
    members: string[];
    tasks: string[];
    messages: string[];
    leases: string[];
    approvals: string[];
    vars: string[];
  };
  /** Error-level lines the hub logged: unexpected errors it caught (each one is a bug). */
  errors: string[];
  /** Signs a browser in as the person: its session cookie and CSRF token. */
  browser(): Promise<{ cookie: string; csrf: string }>;
  /** A fresh room with its admin token and an agent `solo`, for routes that destroy things. */
  scratch(): Promise<{ room: string; token: string; member: string }>;
  stop(): Promise<void>;
}

/** A logger that keeps what the hub reports as its own errors. */
function recordingLogger(errors: string[]): Logger {
  return {
    debug() {},
    info() {},
    warn() {},
    error: (msg, fields) => errors.push(`${msg} ${JSON.stringify(fields ?? {})}`),
  };
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const dir = tempDir('huddle-fuzz-');
  const { config } = loadConfig({
    env: {
      HUDDLE_HOME: dir.path,
      HUDDLE_PORT: '0',
      HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
      // A push subscription the fuzz manages to store must never make the hub call the internet.
      HUDDLE_PUSH_ENDPOINTS: 'http://127.0.0.1:9',
    },
    homedir: dir.path,
  });
  const errors: string[] = [];
  const running = await startHub(config, recordingLogger(errors));
  const hub: TestHub = {
    ...running,
    home: dir.path,
    config,
    async stop() {
      await running.close();
      dir.remove();
    },
  };
  const anon = createHubClient({ url: hub.url });
  const created = await anon.createRoom({ name: ROOM, label: 'fuzz-admin' });
  const api = createHubClient({ url: hub.url, token: created.token });
  for (const name of AGENTS) await api.registerAgent(ROOM, { name, client: 'codex' });
  const alice = await addPerson(hub, ROOM, {
    label: 'alice-phone',
    scopes: ['read', 'write', 'approve'],
    agent: PERSON_AGENT,
  });

  const sent = await api.send(ROOM, 'ada', { to: 'bob', body: 'hello bob' });
  const back = await api.send(ROOM, 'bob', { to: 'ada', body: 'hello ada' });
  const t1 = await api.addTask(ROOM, 'ada', { title: 'first' });
  const t2 = await api.addTask(ROOM, 'ada', { title: 'second', depends_on: [t1.task.id] });
  await api.taskStep(ROOM, 'ada', t1.task.id, 'claim');
  const lease = await api.lease(ROOM, 'ada', { paths: ['src/**'], reason: 'fuzz' });
  await api.setVariable(ROOM, 'build', { value: 'green', agent: 'ada' });
  const approval = await api.requestApproval(ROOM, 'ada', { tool: 'Bash', reason: 'fuzz' });
  const { members } = await api.members(ROOM);

  let scratches = 0;
  return {
    hub,
    admin: created.token,
    person: alice.token,
    api,
    ids: {
      members: members.map((m) => m.id),
      tasks: [t1.task.id, t2.task.id],
      messages: [sent.message.id, back.message.id],
      leases: [lease.lease.id],
      approvals: [approval.approval.id],
      vars: ['build'],
    },
    errors,
    async browser() {
      const res = await rawHttp(hub.url, {
        method: 'POST',
        path: '/v1/web/session',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: alice.token }),
      });
      assert.equal(res.status, 201, res.text);
      const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
      return { cookie, csrf: (JSON.parse(res.text) as { csrf: string }).csrf };
    },
    async scratch() {
      const room = `scratch-${++scratches}`;
      const made = await anon.createRoom({ name: room, label: 'scratch' });
      await createHubClient({ url: hub.url, token: made.token }).registerAgent(room, {
        name: 'solo',
      });
      return { room, token: made.token, member: made.member.id };
    },
    stop: () => hub.stop(),
  };
}

/** Records unhandled rejections and uncaught exceptions of this process, where the hub runs. */
export function watchCrashes(): { assertNone(): void; dispose(): void } {
  const seen: string[] = [];
  const onRejection = (reason: unknown) =>
    seen.push(`unhandledRejection: ${String((reason as Error)?.stack ?? reason)}`);
  const onException = (err: Error) => seen.push(`uncaughtException: ${String(err?.stack ?? err)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    // Each crash is reported once, by the check that follows it.
    assertNone: () => assert.deepEqual(seen.splice(0), [], 'the process saw no crash'),
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * Node's HTTP parser refuses a request it cannot read before the hub sees it, with a bare 400 (a
 * Host that is no host name) or 431 (a request line or headers over its 16 KiB), and no body.
 */
export function parserRefusal(res: RawResponse): boolean {
  return (res.status === 400 || res.status === 431) && res.text === '';
}

/**
 * The checks of every REST answer: no 5xx, and a refusal carries the error envelope (on `/mcp`,
 * the MCP SDK's JSON-RPC error is the other envelope a refusal may have).
 */
export function assertRestAnswer(res: RawResponse, what: string): void {
  assert.ok(
    res.status < 500,
    `${what.slice(0, 1_000)} answered ${res.status}: ${res.text.slice(0, 500)}`,
  );
  if (res.status < 400 || parserRefusal(res)) return;
  const mcp = what.includes('/mcp');
  what = what.slice(0, 1_000);
  let body: { error?: Record<string, unknown>; jsonrpc?: unknown };
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    assert.fail(`${what} answered ${res.status} without a JSON body: ${res.text.slice(0, 200)}`);
  }
  const e = body.error;
  assert.ok(e && typeof e === 'object', `${what}: no error object in ${res.text.slice(0, 200)}`);
  if (body.jsonrpc === '2.0' && mcp) {
    assert.equal(typeof e.code, 'number', `${what}: JSON-RPC error.code`);
    assert.notEqual(e.code, -32603, `${what}: JSON-RPC internal error: ${res.text.slice(0, 300)}`);
    assert.equal(typeof e.message, 'string', `${what}: JSON-RPC error.message`);
    return;
  }
  assert.equal(typeof e.code, 'string', `${what}: error.code`);
  assert.equal(typeof e.message, 'string', `${what}: error.message`);
  assert.equal(typeof e.retryable, 'boolean', `${what}: error.retryable`);
  assert.ok(e.details && typeof e.details === 'object', `${what}: error.details`);
}

/** The hub logged no error of its own since the last check (each failure is reported once). */
export function assertNoHubErrors(world: FuzzWorld): void {
  assert.deepEqual(world.errors.splice(0), [], 'the hub logged no unexpected error');
}

/** Still healthy after a batch: /healthz answers, a note is written, and nothing was logged. */
export async function assertStillServing(world: FuzzWorld): Promise<void> {
  const health = await rawHttp(world.hub.url, { method: 'GET', path: '/healthz' });
  assert.equal(health.status, 200, health.text);
  const note = await rawHttp(world.hub.url, {
    method: 'POST',
    path: `/v1/rooms/${ROOM}/notes`,
    headers: { authorization: `Bearer ${world.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'still serving' }),
  });
  assert.equal(note.status, 201, note.text);
  assertNoHubErrors(world);
}
