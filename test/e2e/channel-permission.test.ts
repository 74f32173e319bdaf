// Claude Code's channel permission relay through `huddle mcp` over stdio: with channels on the
// bridge declares `claude/channel/permission`, turns each `permission_request` notification into
// an approval request for its agent, and sends a person's decision back as a `permission`
// notification. With no decision (expired), a refusal, or the session gone it sends nothing, so the
// terminal prompt decides; a closed session withdraws what it was still waiting for.

import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { HubClient } from '../../src/client/hub-client.js';
import type { Approval } from '../../src/core/types.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { roomWithApprover, type Person } from '../helpers/person-member.js';
import { envWithoutHuddle } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'relay';
const REQUEST_METHOD = 'notifications/claude/channel/permission_request';
const Answer = z.object({
  method: z.literal('notifications/claude/channel/permission'),
  params: z.object({ request_id: z.string(), behavior: z.string() }).loose(),
});
type Answered = z.infer<typeof Answer>['params'];

/** What Claude Code 2.1.197 advertises when it connects to an MCP server (no experimental). */
const CLAUDE_CODE_CAPABILITIES: ClientCapabilities = { roots: {}, elicitation: {} };
/** A client that says it takes channel notifications and permission prompts. */
const CHANNEL_CAPABILITIES: ClientCapabilities = {
  experimental: { 'claude/channel': {}, 'claude/channel/permission': {} },
};

let hub: TestHub;
const home = tempDir();
const cwd = tempDir('huddle-relay-cwd-');
/** The machine's member, straight to the hub. */
let api: HubClient;
let alice: Person;

before(async () => {
  hub = await startTestHub({ HUDDLE_APPROVAL_TIMEOUT_SECONDS: '10' });
  ({ api, alice } = await roomWithApprover(hub, ROOM, home.path));
});
after(async () => {
  await hub.stop();
  home.remove();
  cwd.remove();
});

interface Bridge {
  client: Client;
  transport: StdioClientTransport;
  answers: Answered[];
  stderr(): string;
  /** Sends Claude Code's permission_request notification. */
  ask(params: Record<string, unknown>): Promise<void>;
  /** Resolves once `count` answers have arrived. */
  waitAnswers(count: number, timeoutMs?: number): Promise<Answered[]>;
  /** Resolves once the bridge wrote `text` to stderr. */
  waitStderr(text: string, timeoutMs?: number): Promise<void>;
}

/** `huddle mcp --room relay --as <agent>` through the SDK's stdio client, with debug logs. */
async function bridge(
  t: TestContext,
  agent: string,
  options: { capabilities: ClientCapabilities; args?: string[] },
): Promise<Bridge> {
  const client = new Client(
    { name: 'claude-code', version: '2.1.197' },
    { capabilities: options.capabilities },
  );
  const env = envWithoutHuddle({
    HUDDLE_HOME: home.path,
    HUDDLE_URL: hub.url,
    HUDDLE_LOG_LEVEL: 'debug',
  });
  delete env.CLAUDE_PROJECT_DIR;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp', '--room', ROOM, '--as', agent, ...(options.args ?? [])],
    env,
    cwd: cwd.path,
    stderr: 'pipe',
  });
  let err = '';
  const answers: Answered[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    wake();
  });
  client.setNotificationHandler(Answer, (n) => {
    answers.push(n.params);
    wake();
  });
  await client.connect(transport);
  t.after(() => client.close());

  const until = (done: () => boolean, what: () => string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what()} after ${timeoutMs} ms; stderr: ${err}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    client,
    transport,
    answers,
    stderr: () => err,
    ask: (params) => client.notification({ method: REQUEST_METHOD, params }),
    async waitAnswers(count, timeoutMs = 8000) {
      await until(
        () => answers.length >= count,
        () => `${answers.length} of ${count} answers`,
        timeoutMs,
      );
      return answers;
    },
    waitStderr: (text, timeoutMs = 8000) =>
      until(
        () => err.includes(text),
        () => `no "${text}" on stderr`,
        timeoutMs,
      ),
  };
}

/** Claude Code's params for a Bash call, with `request_id`. */
const bashRequest = (request_id: string, command = 'rm -rf build && npm run build') => ({
  request_id,
  tool_name: 'Bash',
  description: 'Clean and rebuild',
  input_preview: JSON.stringify({ command, description: 'Clean and rebuild' }),
});

/** The requests of `agent` once there are `count` pending ones, oldest first. */
async function pendingOf(agent: string, count: number): Promise<Approval[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { approvals } = await api.approvals(ROOM, { status: 'pending' });
    const mine = approvals.filter((a) => a.agent === agent).reverse();
    if (mine.length >= count) return mine;
    if (Date.now() > deadline)
      assert.fail(`${mine.length} of ${count} pending requests of ${agent} after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The request once it is no longer pending. */
async function settled(id: string): Promise<Approval> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { approval } = await api.approval(ROOM, id, 5);
    if (approval.status !== 'pending') return approval;
    if (Date.now() > deadline) assert.fail(`${id} still pending`);
  }
}

test('channels taken by the client: a person allows and the bridge answers allow', async (t) => {
  const relay = await bridge(t, 'claude-allow', { capabilities: CHANNEL_CAPABILITIES });
  const declared = relay.client.getServerCapabilities()?.experimental;
  assert.deepEqual(declared?.['claude/channel'], {});
  assert.deepEqual(declared?.['claude/channel/permission'], {});

  // No tool call first: a permission prompt is a session, and registers the agent itself.
  await relay.ask(bashRequest('abcde'));
  const [request] = await pendingOf('claude-allow', 1);
  assert.deepEqual(
    [request!.client, request!.tool, request!.input_preview, request!.reason],
    [
      'claude-code',
      'Bash',
      '{"command":"rm -rf build && npm run build","description":"Clean and rebuild"}',
      'Clean and rebuild',
    ],
  );
  assert.equal(relay.answers.length, 0, 'nothing is answered before a person does');
  await alice.api.decideApproval(ROOM, request!.id, 'allow');
  assert.deepEqual(await relay.waitAnswers(1), [{ request_id: 'abcde', behavior: 'allow' }]);
});

test('several prompts at once: each gets its own decision, deny included, in the order given', async (t) => {
  const relay = await bridge(t, 'claude-many', { capabilities: CHANNEL_CAPABILITIES });
  await relay.ask(bashRequest('fghij', 'git push --force'));
  await relay.ask(bashRequest('kmnop', 'npm publish'));
  await relay.ask({
    request_id: 'qrstu',
    tool_name: 'Edit',
    description: '',
    input_preview: '{"file_path":"src/app.ts","old_string":"a","new_string":"b"}',
  });
  const requests = await pendingOf('claude-many', 3);
  const byPreview = (s: string) => requests.find((a) => a.input_preview.includes(s))!;
  const push = byPreview('git push --force');
  const publish = byPreview('npm publish');
  const edit = byPreview('src/app.ts');
  assert.equal(edit.tool, 'Edit');
  assert.equal(edit.reason, null, 'an empty description is no reason');

  await alice.api.decideApproval(ROOM, publish.id, 'deny', 'not from a branch');
  assert.deepEqual((await relay.waitAnswers(1))[0], { request_id: 'kmnop', behavior: 'deny' });
  await alice.api.decideApproval(ROOM, edit.id, 'allow');
  assert.deepEqual((await relay.waitAnswers(2))[1], { request_id: 'qrstu', behavior: 'allow' });
  await alice.api.decideApproval(ROOM, push.id, 'deny');
  assert.deepEqual((await relay.waitAnswers(3))[2], { request_id: 'fghij', behavior: 'deny' });
});

test('Claude Code itself (no experimental capabilities) with --channels: declared and relayed; malformed and refused prompts get nothing', async (t) => {
  const relay = await bridge(t, 'claude-flag', {
    capabilities: CLAUDE_CODE_CAPABILITIES,
    args: ['--channels'],
  });
  assert.deepEqual(
    relay.client.getServerCapabilities()?.experimental?.['claude/channel/permission'],
    {},
  );
  await relay.client.callTool({ name: 'who', arguments: {} });

  // Malformed: ignored with a debug line each, no request made.
  await relay.ask(bashRequest('abcd'));
  await relay.ask(bashRequest('vwxyl')); // Claude Code never uses an l
  await relay.ask({ request_id: 'vwxyz', description: 'no tool', input_preview: '{}' });
  await relay.ask({ ...bashRequest('vwxyz'), input_preview: 42 });
  await relay.waitStderr('input_preview is not a string');
  assert.match(relay.stderr(), /ignored a permission_request: request_id is not five letters/);
  assert.match(relay.stderr(), /ignored a permission_request: tool_name is not a non-empty string/);
  // Refused by the hub (a tool name with a control character): a warning, nothing answered.
  await relay.ask({ ...bashRequest('bcdef'), tool_name: 'Bash\u0007' });
  await relay.waitStderr('permission bcdef for "Bash\\u0007" goes to the terminal: tool');

  await relay.ask(bashRequest('VWXYZ'));
  await relay.ask(bashRequest('vwxyz')); // the same prompt again while it waits: one request
  await relay.waitStderr('ignored permission vwxyz: already waiting for it');
  const requests = await pendingOf('claude-flag', 1);
  assert.equal(requests.length, 1, 'only the well-formed prompt asked a person');
  await alice.api.decideApproval(ROOM, requests[0]!.id, 'deny');
  // The answer carries the id as Claude Code sent it.
  assert.deepEqual(await relay.waitAnswers(1), [{ request_id: 'VWXYZ', behavior: 'deny' }]);
});

test('nobody answers before the request expires: nothing is sent, the terminal decides', async (t) => {
  const relay = await bridge(t, 'claude-expire', { capabilities: CHANNEL_CAPABILITIES });
  await relay.ask(bashRequest('hijkm'));
  const [request] = await pendingOf('claude-expire', 1);
  assert.equal((await settled(request!.id)).status, 'expired');
  await relay.waitStderr(`approval ${request!.id} expired; the terminal prompt decides`);
  await assert.rejects(alice.api.decideApproval(ROOM, request!.id, 'allow'), {
    code: 'approval_expired',
  });
  await new Promise((r) => setTimeout(r, 500)); // a stray late answer would show up here
  assert.deepEqual(relay.answers, []);
});

test('closing the session withdraws the prompts still waiting; so does SIGTERM', async (t) => {
  const closing = await bridge(t, 'claude-close', { capabilities: CHANNEL_CAPABILITIES });
  await closing.ask(bashRequest('npqrs'));
  await closing.ask(bashRequest('pqrst', 'make deploy'));
  const waiting = await pendingOf('claude-close', 2);
  await closing.client.close();
  for (const request of waiting) {
    const done = await settled(request.id);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.decision_reason, 'the session ended');
  }
  assert.deepEqual(closing.answers, []);

  const killed = await bridge(t, 'claude-kill', {
    capabilities: CLAUDE_CODE_CAPABILITIES,
    args: ['--channels'],
  });
  await killed.ask(bashRequest('stuvw'));
  const [request] = await pendingOf('claude-kill', 1);
  process.kill(killed.transport.pid!, 'SIGTERM');
  assert.equal((await settled(request!.id)).status, 'cancelled');
});

test('without channels the capability is not declared and a permission_request asks nobody', async (t) => {
  const relay = await bridge(t, 'claude-off', { capabilities: CLAUDE_CODE_CAPABILITIES });
  const declared = relay.client.getServerCapabilities()?.experimental;
  assert.deepEqual(declared?.['claude/channel'], {}, 'channel push is still declared');
  assert.equal(declared?.['claude/channel/permission'], undefined);
  await relay.client.callTool({ name: 'who', arguments: {} });
  await relay.ask(bashRequest('tuvwx'));
  await relay.waitStderr('ignored a permission_request: claude/channel/permission is not declared');
  const { approvals } = await api.approvals(ROOM, { status: 'all', limit: 100 });
  assert.deepEqual(
    approvals.filter((a) => a.agent === 'claude-off'),
    [],
  );
  assert.deepEqual(relay.answers, []);
});
