// The hooks `huddle init codex` installs (.codex/hooks.json), in the real Codex CLI. Outside CI it
// is skipped, with a line saying so, when `codex` is not on PATH; in CI it must run. `codex exec`
// runs in a temporary HOME and CODEX_HOME against a fake Responses API served here (a custom model
// provider, wire_api "responses", the only one Codex 0.169 speaks), which records every request,
// so the test sees exactly what reached the model:
// - the SessionStart digest, in the first request;
// - a message from bob, sent while the first request is answered, so it waits as the turn would
//   end: the Stop hook blocks the stop with it, and Codex asks the model again with the message as
//   the next input.
// Codex runs project hooks only in a trusted project and only hooks the person trusted: the
// project is trusted in config.toml, and hook trust is bypassed for this run
// (--dangerously-bypass-hook-trust), as for automation that vetted its hooks.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { huddleOk } from '../helpers/cli.js';
import { frame, messagesText } from '../helpers/hook-io.js';
import { spawnHub, type ChildHub } from '../helpers/hub.js';
import { envWithoutHuddle } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';
import {
  exitWithin,
  killHuddleProcesses,
  spawnClient,
  writeHuddleShim,
  type ClientProcess,
} from '../helpers/client-processes.js';
import { startFakeModelApi, unescapeXml, type FakeModelApi } from '../helpers/fake-model-api.js';
import type { Message } from '../../src/core/types.js';
import { probeCli } from '../helpers/client-cli.js';

const codexCli = probeCli('codex', '@openai/codex');

const ROOM = 'codex-hooks';
const BODY = 'Heads up: I am rewriting the auth module, please keep out of src/auth.';

/** One request to POST /v1/responses, as Codex sent it. */
interface ApiRequest {
  at: number;
  body: { input?: Array<{ type?: string; role?: string; content?: unknown }> };
  /** The text of each input message (role and text), what the model reads besides its tools. */
  messages: Array<{ role: string; text: string }>;
  text: string;
}

/**
 * What a Stop hook's reason became in the next request: Codex wraps it in a <hook_prompt> element
 * of a user message, with its text escaped as XML.
 */
function hookPrompts(
  r: ApiRequest,
): Array<{ index: number; role: string; text: string; run: string }> {
  return r.messages.flatMap((m, index) => {
    const match = /^<hook_prompt hook_run_id="([^"]*)">([\s\S]*)<\/hook_prompt>$/.exec(m.text);
    if (!match) return [];
    return [{ index, role: m.role, text: unescapeXml(match[2]!), run: match[1]! }];
  });
}

const dir = tempDir('huddle-codex-hooks-');
const root = realpathSync(dir.path);
const project = join(root, 'api');
const home = join(root, 'home');
const codexHome = join(home, '.codex');
const machine = join(home, '.huddle');
const bin = join(root, 'bin');

let hub: ChildHub | undefined;
let api: FakeModelApi | undefined;
const requests: ApiRequest[] = [];
/** Runs, and is awaited, before the fake API answers a request. */
let beforeAnswer: (r: ApiRequest) => Promise<void> = async () => {};
let codex: ClientProcess | undefined;

const cli = (args: string[]) =>
  huddleOk(args, { home: machine, url: hub!.url, cwd: project, env: { HOME: home } });

/** A tiny Responses API: records each request and streams a one-line answer. */
async function answer(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || !(req.url ?? '').endsWith('/responses')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{}');
    return;
  }
  const body = JSON.parse(raw) as ApiRequest['body'];
  const messages = (body.input ?? [])
    .filter((item) => item.type === 'message')
    .map((item) => ({
      role: String(item.role),
      text: (Array.isArray(item.content) ? (item.content as Array<{ text?: unknown }>) : [])
        .map((c) => (typeof c.text === 'string' ? c.text : ''))
        .join('\n'),
    }));
  const record: ApiRequest = {
    at: Date.now(),
    body,
    messages,
    text: messages.map((m) => m.text).join('\n'),
  };
  requests.push(record);
  const n = requests.length;
  try {
    await beforeAnswer(record);
  } catch (err) {
    api!.fail(err);
  }
  const id = `resp_fake_${n}`;
  const text = n === 1 ? 'ok' : 'Noted.';
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const event = (data: Record<string, unknown>) =>
    res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
  event({ type: 'response.created', response: { id } });
  event({
    type: 'response.output_item.done',
    output_index: 0,
    item: {
      type: 'message',
      role: 'assistant',
      id: `msg_fake_${n}`,
      content: [{ type: 'output_text', text, annotations: [] }],
    },
  });
  event({
    type: 'response.completed',
    response: {
      id,
      usage: {
        input_tokens: 10,
        input_tokens_details: null,
        output_tokens: 1,
        output_tokens_details: null,
        total_tokens: 11,
      },
    },
  });
  res.end();
}

/** What happened, for failure messages: Codex's output and the requests the model got. */
function describeRun(): string {
  const reqs = requests.map(
    (r, i) =>
      `request ${i}:\n${r.messages.map((m) => `[${m.role}] ${m.text.slice(-1500)}`).join('\n')}`,
  );
  return [
    `codex exit: ${codex?.child.exitCode ?? codex?.child.signalCode ?? 'running'}`,
    `codex stdout:\n${codex?.stdout() ?? ''}`,
    `codex stderr:\n${codex?.stderr() ?? ''}`,
    ...(api?.error() ? [`fake API: ${api.error()!.stack}`] : []),
    ...reqs,
  ].join('\n---\n');
}

after(async () => {
  const child = codex?.child;
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // The MCP bridge and hooks Codex started, should any outlive it.
  if (hub) killHuddleProcesses(hub.url);
  api?.close();
  await hub?.stop();
  dir.remove();
});

describe('Codex CLI with the hooks of huddle init codex', { skip: codexCli.skip }, () => {
  /** The Codex session's agent, as the room lists it. */
  let agent = '';
  let sent: { id: string; at: number } | undefined;
  let exitCode: number | null = null;
  let elapsed = 0;

  /** The message as huddle frames it for the model. */
  const framed = () => frame(ROOM, { id: sent!.id, from: 'bob', to: agent } as Message, [BODY]);

  before(async () => {
    assert.ok(codexCli.installed, `CI must have the Codex CLI: ${codexCli.problem}`);
    mkdirSync(project, { recursive: true });
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(machine, { recursive: true });
    mkdirSync(bin, { recursive: true });
    const git = spawnSync('git', ['init', '-q'], { cwd: project, encoding: 'utf8' });
    assert.equal(git.status, 0, `git init: ${git.error?.message ?? git.stderr}`);
    writeHuddleShim(bin); // what `npm link` would put on the PATH

    hub = await spawnHub(join(root, 'hub'));
    api = await startFakeModelApi(answer);

    await cli(['create', ROOM]);
    // HUDDLE_URL names the hub, so init writes --room and --hub into the hooks and the server.
    await cli(['init', 'codex', '--room', ROOM]);
    await cli(['agent', ROOM, 'bob']);
    // The fake model, and the trust a person gives the project once.
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        'model = "fake-model"',
        'model_provider = "fake"',
        '',
        '[model_providers.fake]',
        'name = "fake"',
        `base_url = "${api.url}/v1"`,
        'wire_api = "responses"',
        '',
        `[projects."${project}"]`,
        'trust_level = "trusted"',
        '',
      ].join('\n'),
    );

    // Bob writes while the model answers the first request: the message waits as the turn ends.
    beforeAnswer = async () => {
      if (sent) return;
      const { stdout } = await cli(['who', ROOM, '--json']);
      const { agents } = JSON.parse(stdout) as {
        agents: Array<{ name: string; client: string }>;
      };
      agent = agents.find((a) => a.client === 'codex')?.name ?? '';
      assert.ok(agent, `an agent of client codex in the room: ${stdout}`);
      const out = await cli(['send', ROOM, agent, BODY, '--as', 'bob', '--json']);
      sent = {
        id: (JSON.parse(out.stdout) as { message: { id: string } }).message.id,
        at: Date.now(),
      };
    };

    const env = envWithoutHuddle();
    for (const key of Object.keys(env)) if (/^(CODEX|OPENAI)/.test(key)) delete env[key];
    Object.assign(env, {
      HOME: home,
      CODEX_HOME: codexHome,
      HUDDLE_HOME: machine,
      PATH: `${bin}:${process.env.PATH}`,
    });
    const started = Date.now();
    codex = spawnClient('codex', ['exec', '--dangerously-bypass-hook-trust', 'Say ok.'], {
      cwd: project,
      env,
    });
    const result = await exitWithin(codex.exited, 45_000);
    elapsed = Date.now() - started;
    assert.notEqual(result, 'timeout', `codex exec ends within 45 s\n${describeRun()}`);
    exitCode = result as number | null;
  });

  test('codex exec answers and exits 0 after the turn the Stop hook continued', () => {
    assert.equal(exitCode, 0, describeRun());
    assert.equal(api!.error(), undefined, describeRun());
    assert.equal(requests.length, 2, `two model requests\n${describeRun()}`);
    console.log(
      `codex exec: ${elapsed} ms in all; the Stop hook's continuation reached the model ${requests[1]!.at - requests[0]!.at} ms after the first request`,
    );
  });

  test('the first request to the model holds the SessionStart digest: the agent and its room', () => {
    assert.ok(
      requests[0]?.text.includes(`huddle: you are agent "${agent}" in room "${ROOM}".`),
      describeRun(),
    );
  });

  test("bob's message waiting at Stop blocks the stop and comes in the next request as its input", async () => {
    assert.ok(sent, `bob sent the message\n${describeRun()}`);
    const next = requests[1];
    assert.ok(next, describeRun());
    // The Stop hook's reason, exactly: the framed message under huddle's head line.
    const prompts = hookPrompts(next);
    assert.equal(prompts.length, 1, `one hook prompt\n${describeRun()}`);
    const [prompt] = prompts;
    assert.equal(prompt!.role, 'user', describeRun());
    // From the Stop hook of the hooks.json that init wrote.
    const hooksJson = join(project, '.codex', 'hooks.json');
    assert.ok(
      prompt!.run.startsWith('stop:') && prompt!.run.endsWith(`:${hooksJson}`),
      prompt!.run,
    );
    assert.equal(prompt!.text, messagesText(framed()), describeRun());
    assert.ok(!requests[0]!.text.includes(BODY), 'not in the first request');
    // It follows the model's first answer, with which the turn would have ended.
    const answered = next.messages.findIndex((m) => m.role === 'assistant' && m.text === 'ok');
    assert.ok(answered >= 0 && answered < prompt!.index, describeRun());

    const { stdout } = await cli(['receipts', ROOM, sent.id, '--json']);
    const { receipts } = JSON.parse(stdout) as {
      receipts: Array<{ agent: string; injected_at: string | null }>;
    };
    assert.ok(
      receipts.find((r) => r.agent === agent)?.injected_at,
      `the message is recorded injected: ${stdout}`,
    );
  });
});
