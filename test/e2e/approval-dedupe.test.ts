// One Claude Code permission prompt asked about twice, by the PermissionRequest hook (a real
// `huddle hook permission-request` with the recorded payload) and by the channel relay of a real
// `huddle mcp` (driven with the MCP SDK's client): both name the same match key, so the person sees
// one request and one decision answers both. Different inputs stay two requests, and when one of
// the two stops waiting the request stays for the other.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { z } from 'zod';
import type { HubClient } from '../../src/client/hub-client.js';
import type { Approval } from '../../src/core/types.js';
import { ended, huddle, type CliResult } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { NEUTRAL_ENV, printed, recordedPayload, silent } from '../helpers/hook-io.js';
import { roomWithApprover, type Person } from '../helpers/person-member.js';
import { envWithoutHuddle } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'dedupe';
const Answer = z.object({
  method: z.literal('notifications/claude/channel/permission'),
  params: z.object({ request_id: z.string(), behavior: z.string() }).loose(),
});
type Answered = z.infer<typeof Answer>['params'];

/** The recorded payload's tool input, as Claude Code holds it. */
const RECORDED_INPUT = (
  JSON.parse(
    readFileSync(
      fileURLToPath(
        new URL('../../../test/fixtures/hooks/claude/permission-request.json', import.meta.url),
      ),
      'utf8',
    ),
  ) as { tool_input: Record<string, unknown> }
).tool_input;

let hub: TestHub;
const home = tempDir();
const project = tempDir('huddle-dedupe-project-');
let api: HubClient;
let alice: Person;

before(async () => {
  hub = await startTestHub({ HUDDLE_APPROVAL_TIMEOUT_SECONDS: '60' });
  ({ api, alice } = await roomWithApprover(hub, ROOM, home.path));
});
after(async () => {
  await hub.stop();
  home.remove();
  project.remove();
});

interface Relay {
  client: Client;
  answers: Answered[];
  /** Sends Claude Code's permission_request notification. */
  ask(params: Record<string, unknown>): Promise<void>;
  waitAnswers(count: number): Promise<Answered[]>;
}

/** `huddle mcp --channels` for `agent`, registered (one tool call) before it returns. */
async function relayFor(t: TestContext, agent: string): Promise<Relay> {
  const client = new Client({ name: 'claude-code', version: '2.1.197' }, { capabilities: {} });
  const env = envWithoutHuddle({ HUDDLE_HOME: home.path, HUDDLE_URL: hub.url });
  delete env.CLAUDE_PROJECT_DIR;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp', '--room', ROOM, '--as', agent, '--channels'],
    env,
    cwd: project.path,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const answers: Answered[] = [];
  let wake = () => {};
  client.setNotificationHandler(Answer, (n) => {
    answers.push(n.params);
    wake();
  });
  await client.connect(transport);
  t.after(() => client.close());
  await client.callTool({ name: 'who', arguments: {} });
  return {
    client,
    answers,
    ask: (params) =>
      client.notification({
        method: 'notifications/claude/channel/permission_request',
        params,
      }),
    waitAnswers: (count) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${answers.length} of ${count} answers; stderr: ${err}`)),
          10_000,
        );
        wake = () => {
          if (answers.length < count) return;
          clearTimeout(timer);
          resolve(answers);
        };
        wake();
      }),
  };
}

/** Claude Code's permission_request for a tool input: its own preview, compact JSON. */
function channelRequest(request_id: string, input: Record<string, unknown>, tool = 'Bash') {
  const json = JSON.stringify(input);
  return {
    request_id,
    tool_name: tool,
    description: 'Clean and rebuild',
    input_preview: json.length > 200 ? json.slice(0, 200) + '\u2026' : json,
  };
}

const hookArgs = (agent: string) => ['hook', 'permission-request', '--room', ROOM, '--as', agent];
const hookEnv = () => ({ ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project.path });

/** The hook as Claude Code runs it, with the recorded payload (and `changes`). */
function hook(agent: string, changes: Record<string, unknown> = {}): Promise<CliResult> {
  return huddle(hookArgs(agent), {
    home: home.path,
    url: hub.url,
    input: recordedPayload('claude/permission-request.json', project.path, changes),
    cwd: project.path,
    env: hookEnv(),
  });
}

/** Every request of `agent` (any status), oldest first. */
async function requestsOf(agent: string): Promise<Approval[]> {
  const { approvals } = await api.approvals(ROOM, { status: 'all', limit: 100 });
  return approvals.filter((a) => a.agent === agent).reverse();
}

/** The pending requests of `agent` once there are `count`, oldest first. */
async function pendingOf(agent: string, count: number): Promise<Approval[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mine = (await requestsOf(agent)).filter((a) => a.status === 'pending');
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) assert.fail(`${mine.length} of ${count} pending of ${agent}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The request once exactly `count` requests wait on it (2: the second one joined). */
async function waiting(id: string, count: number): Promise<Approval> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { approval } = await api.approval(ROOM, id);
    if (approval.waiters === count) return approval;
    if (Date.now() > deadline) assert.fail(`${id} has ${approval.waiters} waiters after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const allow = {
  hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
};

test('the relay and the hook for the same prompt share one request; one decision answers both', async (t) => {
  const agent = 'claude-same';
  const relay = await relayFor(t, agent);
  // Claude Code sends the prompt to the channel first, then runs the hook.
  await relay.ask(channelRequest('abcde', RECORDED_INPUT));
  const [request] = await pendingOf(agent, 1);
  const running = hook(agent);
  await waiting(request!.id, 2);
  assert.equal((await requestsOf(agent)).length, 1, 'one request for the prompt');

  await alice.api.decideApproval(ROOM, request!.id, 'allow');
  printed(await running, allow);
  assert.deepEqual(await relay.waitAnswers(1), [{ request_id: 'abcde', behavior: 'allow' }]);
  assert.deepEqual(
    (await requestsOf(agent)).map((a) => [a.id, a.status]),
    [[request!.id, 'allowed']],
  );
});

test('a long input, which Claude Code cuts to 200 characters, is two requests: a cut one is never shared', async (t) => {
  const agent = 'claude-long';
  // Claude Code cuts the JSON at 200 UTF-16 units, here between the halves of an emoji. Two
  // prompts alike in those 200 characters could differ after them, so neither side shares.
  const head = '{"file_path":"src/app.ts","content":"';
  const input = {
    file_path: 'src/app.ts',
    content: 'x'.repeat(199 - head.length) + `\u{1f600} h\u00e9llo\n`.repeat(40),
  };
  assert.equal(JSON.stringify(input).charCodeAt(199), 0xd83d, 'the cut splits the emoji');
  const relay = await relayFor(t, agent);
  const running = hook(agent, { tool_name: 'Write', tool_input: input });
  const [hooked] = await pendingOf(agent, 1);
  assert.equal(hooked!.tool, 'Write');
  assert.match(hooked!.input_preview, /"content"/, 'the hook keeps its full preview');
  await relay.ask({ ...channelRequest('fghij', input, 'Write'), description: 'Write src/app.ts' });
  const [first, second] = await pendingOf(agent, 2);
  assert.notEqual(first!.id, second!.id);
  assert.equal(first!.waiters, 1);
  assert.equal(second!.waiters, 1);

  await alice.api.decideApproval(ROOM, hooked!.id, 'deny', 'not that file');
  const result = await running;
  assert.equal(JSON.parse(result.stdout).hookSpecificOutput.decision.behavior, 'deny');
  const relayed = first!.id === hooked!.id ? second! : first!;
  assert.equal((await api.approval(ROOM, relayed.id)).approval.status, 'pending');
  await alice.api.decideApproval(ROOM, relayed.id, 'allow');
  assert.deepEqual(await relay.waitAnswers(1), [{ request_id: 'fghij', behavior: 'allow' }]);
});

test('different inputs are two requests, each answered by its own decision', async (t) => {
  const agent = 'claude-differ';
  const relay = await relayFor(t, agent);
  await relay.ask(channelRequest('kmnop', { ...RECORDED_INPUT, command: 'rm -rf build' }));
  const running = hook(agent);
  const [relayed, hooked] = await pendingOf(agent, 2);
  assert.notEqual(relayed!.id, hooked!.id);
  assert.equal(
    relayed!.input_preview,
    '{"command":"rm -rf build","description":"Clean and rebuild"}',
  );
  assert.equal(hooked!.input_preview, 'rm -rf build && npm run build');

  await alice.api.decideApproval(ROOM, relayed!.id, 'deny');
  assert.deepEqual(await relay.waitAnswers(1), [{ request_id: 'kmnop', behavior: 'deny' }]);
  assert.equal((await api.approval(ROOM, hooked!.id)).approval.status, 'pending');
  await alice.api.decideApproval(ROOM, hooked!.id, 'allow');
  printed(await running, allow);
  assert.equal(relay.answers.length, 1, 'the relay heard nothing of the other request');
});

test('the hook is stopped while the relay still waits: the request stays, and the relay gets the decision', async (t) => {
  const agent = 'claude-stop';
  const relay = await relayFor(t, agent);
  await relay.ask(channelRequest('qrstu', RECORDED_INPUT));
  const [request] = await pendingOf(agent, 1);
  const child = spawn(process.execPath, [CLI_PATH, ...hookArgs(agent)], {
    cwd: project.path,
    env: { ...process.env, HUDDLE_HOME: home.path, HUDDLE_URL: hub.url, ...hookEnv() },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = ended(child);
  child.stdin.end(recordedPayload('claude/permission-request.json', project.path));
  await waiting(request!.id, 2);
  child.kill('SIGTERM');
  silent(await result);
  const approval = await waiting(request!.id, 1);
  assert.equal(approval.status, 'pending', 'the relay still waits on it');
  assert.equal((await requestsOf(agent)).length, 1);

  await alice.api.decideApproval(ROOM, request!.id, 'allow');
  assert.deepEqual(await relay.waitAnswers(1), [{ request_id: 'qrstu', behavior: 'allow' }]);
});

test('the session ends while the hook still waits: the hook gets the decision', async (t) => {
  const agent = 'claude-close';
  const relay = await relayFor(t, agent);
  await relay.ask(channelRequest('vwxyz', RECORDED_INPUT));
  const [request] = await pendingOf(agent, 1);
  const running = hook(agent);
  await waiting(request!.id, 2);
  await relay.client.close();
  // The bridge withdraws what it waited for on closing: here, only its own wait.
  const left = await waiting(request!.id, 1);
  assert.equal(left.status, 'pending');

  await alice.api.decideApproval(ROOM, request!.id, 'allow');
  printed(await running, allow);
});
