// `huddle hook permission-request` as Claude Code runs it: the recorded PermissionRequest payload on
// stdin, against a real hub whose approval timeout is 10 s. A person's member answers through the
// hub and the hook prints exactly what Claude Code reads; with no answer, or no hub, it prints
// nothing and exits 0 so that Claude Code's own prompt decides.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HubClient } from '../../src/client/hub-client.js';
import type { Approval } from '../../src/core/types.js';
import { ended, huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { NEUTRAL_ENV, printed, recordedPayload, silent } from '../helpers/hook-io.js';
import { freePort } from '../helpers/process-env.js';
import { roomWithApprover, type Person } from '../helpers/person-member.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'approval-hook';
const AGENT = 'claude-api';

let hub: TestHub;
let dir: ReturnType<typeof tempDir>;
let home: string;
let project: string;
/** The machine's member, straight to the hub. */
let api: HubClient;
let alice: Person;

const payload = () => recordedPayload('claude/permission-request.json', project);
const env = () => ({ ...NEUTRAL_ENV, CLAUDE_PROJECT_DIR: project });

/** The hook as Claude Code runs it, acting for AGENT. */
function hook(extra: string[] = [], url = hub.url): Promise<CliResult> {
  return huddle(['hook', 'permission-request', '--room', ROOM, '--as', AGENT, ...extra], {
    home,
    url,
    input: payload(),
    cwd: project,
    env: env(),
  });
}

/** The newest request of the room once it exists (the hook posts it shortly after starting). */
async function pendingRequest(after: string[] = []): Promise<Approval> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { approvals } = await api.approvals(ROOM);
    const fresh = approvals.find((a) => !after.includes(a.id));
    if (fresh) return fresh;
    if (Date.now() > deadline) assert.fail('the hook posted no approval request within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const seen: string[] = [];
async function nextRequest(): Promise<Approval> {
  const a = await pendingRequest(seen);
  seen.push(a.id);
  return a;
}

before(async () => {
  hub = await startTestHub({ HUDDLE_APPROVAL_TIMEOUT_SECONDS: '10' });
  dir = tempDir('huddle-approval-hook-');
  home = join(dir.path, 'home');
  project = join(dir.path, 'shop-api');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(home);
  ({ api, alice } = await roomWithApprover(hub, ROOM, home, 'machine-a'));
  await huddleOk(['agent', ROOM, AGENT], { home, url: hub.url });
});
after(async () => {
  await hub.stop();
  dir.remove();
});

describe('a person answers', () => {
  test('allow: the hook prints the PermissionRequest allow decision', async () => {
    const running = hook();
    const request = await nextRequest();
    assert.deepEqual(
      [request.agent, request.client, request.tool, request.input_preview, request.reason],
      [AGENT, 'claude-code', 'Bash', 'rm -rf build && npm run build', 'Clean and rebuild'],
    );
    await alice.api.decideApproval(ROOM, request.id, 'allow');
    printed(await running, {
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } },
    });
  });

  test('deny: the hook prints the deny decision with who and why, for the model', async () => {
    const running = hook();
    const request = await nextRequest();
    await alice.api.decideApproval(ROOM, request.id, 'deny', 'not on the shared build dir');
    printed(await running, {
      hookSpecificOutput: {
        hookEventName: 'PermissionRequest',
        decision: {
          behavior: 'deny',
          message: `huddle: "alice" (alice-phone) denied this Bash call (approval ${request.id}): not on the shared build dir`,
        },
      },
    });
  });

  test("an agent's token cannot answer: the hook keeps waiting, then a person allows", async () => {
    const running = hook();
    const request = await nextRequest();
    await assert.rejects(api.decideApproval(ROOM, request.id, 'allow'), {
      code: 'person_required',
    });
    await alice.api.decideApproval(ROOM, request.id, 'allow');
    const result = await running;
    assert.equal(JSON.parse(result.stdout).hookSpecificOutput.decision.behavior, 'allow');
  });
});

describe('no answer: the client decides', () => {
  test('nobody answers: after the approval timeout the hook prints nothing, exit 0; the request expired', async () => {
    const started = Date.now();
    const running = hook();
    const request = await nextRequest();
    silent(await running);
    const took = Date.now() - started;
    assert.ok(took >= 9_000 && took < 20_000, `ended with the request's expiry (${took} ms)`);
    const { approval } = await api.approval(ROOM, request.id);
    assert.equal(approval.status, 'expired');
    const { events } = await api.history(ROOM, 0, 100);
    const expiry = events.filter(
      (e) => e.type === 'approval.decided' && (e.body.approval as Approval).id === request.id,
    );
    assert.deepEqual(
      expiry.map((e) => e.body.decision),
      ['expired'],
    );
  });

  test('its own hook timeout comes first: it withdraws the request and prints nothing', async () => {
    const running = hook(['--timeout', '7']);
    const request = await nextRequest();
    silent(await running);
    assert.equal((await api.approval(ROOM, request.id)).approval.status, 'cancelled');
  });

  test('stopped by the client (SIGTERM): it withdraws the request and exits 0 silently', async () => {
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'hook', 'permission-request', '--room', ROOM, '--as', AGENT],
      {
        cwd: project,
        env: { ...process.env, HUDDLE_HOME: home, HUDDLE_URL: hub.url, ...env() },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const result = ended(child);
    child.stdin.end(payload());
    const request = await nextRequest();
    child.kill('SIGTERM');
    silent(await result);
    assert.equal((await api.approval(ROOM, request.id)).approval.status, 'cancelled');
  });

  test('the hub unreachable: nothing on stdout, exit 0, one warning line', async () => {
    const port = await freePort();
    const result = await hook([], `http://127.0.0.1:${port}`);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });
});
