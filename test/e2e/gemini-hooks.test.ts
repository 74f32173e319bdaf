// The hooks `huddle init gemini` installs (in .gemini/settings.json), in the real Gemini CLI.
// Outside CI it is skipped, with a line saying so, when `gemini` is not on PATH; in CI it must run.
// `gemini -p` runs in a temporary HOME against a fake Gemini API served here (the API-key auth
// type, GOOGLE_GEMINI_BASE_URL pointing at it), which records every request, so the test sees
// exactly what reached the model:
// - the SessionStart digest, which Gemini CLI puts before the prompt in headless mode;
// - a message from bob, sent to the agent while no session runs (after a first `gemini -p` in the
//   project made it, and ended): the next session's BeforeAgent adds it to the user's request
//   before the first model call, and the hub records it injected.
// Gemini CLI runs project hooks only in a trusted folder: the folder is trusted for this run with
// GEMINI_CLI_TRUST_WORKSPACE=true, as headless automation does. (--skip-trust is not enough: it
// lets `gemini -p` run, but the project's .gemini/settings.json, hooks and all, is not loaded.)

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

const geminiCli = probeCli('gemini', '@google/gemini-cli');

const ROOM = 'gemini-hooks';
const BODY = 'Heads up: I am rewriting the auth module, please keep out of src/auth.';
const PROMPT = 'Say ok.';
const MODEL = 'gemini-2.5-flash';

/** One request to the fake Gemini API, as Gemini CLI sent it. */
interface ApiRequest {
  at: number;
  run: number;
  /** The path after /v1beta/models/, e.g. `gemini-2.5-flash:streamGenerateContent`. */
  method: string;
  body: { contents?: Array<{ role?: string; parts?: Array<{ text?: unknown }> }> };
  /** The text parts of each content (role and parts), what the model reads besides its tools. */
  contents: Array<{ role: string; parts: string[] }>;
  text: string;
}

/** What Gemini CLI makes of a hook's additionalContext: escaped, in a <hook_context> element. */
function hookContexts(r: ApiRequest): string[] {
  return [...r.text.matchAll(/<hook_context>([\s\S]*?)<\/hook_context>/g)].map((m) =>
    unescapeXml(m[1]!),
  );
}

const dir = tempDir('huddle-gemini-hooks-');
const root = realpathSync(dir.path);
const project = join(root, 'api');
const home = join(root, 'home');
const machine = join(home, '.huddle');
const bin = join(root, 'bin');

let hub: ChildHub | undefined;
let api: FakeModelApi | undefined;
const requests: ApiRequest[] = [];
/** The Gemini CLI process running, or the last one that ran. */
let gemini: ClientProcess | undefined;
/** The run the requests belong to (1: the earlier session, 2: the one under test). */
let run = 0;

const cli = (args: string[]) =>
  huddleOk(args, { home: machine, url: hub!.url, cwd: project, env: { HOME: home } });

const usage = { promptTokenCount: 10, candidatesTokenCount: 1, totalTokenCount: 11 };

/** A tiny Gemini API: records each request and answers "ok". */
async function answer(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
  const match = /^\/v1beta\/models\/([^?]+)/.exec(req.url ?? '');
  if (req.method !== 'POST' || !match) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{}');
    return;
  }
  const method = decodeURIComponent(match[1]!);
  const body = JSON.parse(raw || '{}') as ApiRequest['body'];
  const contents = (body.contents ?? []).map((c) => ({
    role: String(c.role),
    parts: (c.parts ?? []).flatMap((p) => (typeof p.text === 'string' ? [p.text] : [])),
  }));
  requests.push({
    at: Date.now(),
    run,
    method,
    body,
    contents,
    text: contents.flatMap((c) => c.parts).join('\n'),
  });
  const candidate = {
    content: { role: 'model', parts: [{ text: 'ok' }] },
    finishReason: 'STOP',
    index: 0,
  };
  if (method.endsWith(':streamGenerateContent')) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(
      `data: ${JSON.stringify({ candidates: [candidate], usageMetadata: usage, modelVersion: MODEL })}\r\n\r\n`,
    );
    res.end();
  } else if (method.endsWith(':generateContent')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ candidates: [candidate], usageMetadata: usage }));
  } else if (method.endsWith(':countTokens')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ totalTokens: 10 }));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{}');
  }
}

/** What happened, for failure messages: Gemini CLI's output and the requests the model got. */
function describeRun(): string {
  const reqs = requests.map(
    (r, i) =>
      `request ${i} (run ${r.run}, ${r.method}):\n${r.contents.map((c) => `[${c.role}] ${c.parts.join('\n').slice(-1500)}`).join('\n')}`,
  );
  return [
    `gemini run ${run} exit: ${gemini?.child.exitCode ?? gemini?.child.signalCode ?? 'running'}`,
    `gemini stdout:\n${(gemini?.stdout() ?? '').slice(-3000)}`,
    `gemini stderr:\n${(gemini?.stderr() ?? '').slice(-3000)}`,
    ...(api?.error() ? [`fake API: ${api.error()!.stack}`] : []),
    ...reqs,
  ].join('\n---\n');
}

after(async () => {
  const child = gemini?.child;
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // The MCP bridge and hooks Gemini CLI started, should any outlive it.
  if (hub) killHuddleProcesses(hub.url);
  api?.close();
  await hub?.stop();
  dir.remove();
});

/** `gemini -p PROMPT` in the project, as a person runs it headless; its exit code, or 'timeout'. */
async function runGemini(env: Record<string, string>): Promise<number | null | 'timeout'> {
  run += 1;
  gemini = spawnClient(
    'gemini',
    ['--model', MODEL, '--output-format', 'json', '--prompt', PROMPT],
    {
      cwd: project,
      env,
    },
  );
  return exitWithin(gemini.exited, 25_000);
}

describe('Gemini CLI with the hooks of huddle init gemini', { skip: geminiCli.skip }, () => {
  /** The Gemini session's agent, as the room lists it. */
  let agent = '';
  let sent: { id: string; at: number } | undefined;
  let exitCode: number | null = null;
  let elapsed = 0;

  /** The message as huddle frames it for the model. */
  const framed = () => frame(ROOM, { id: sent!.id, from: 'bob', to: agent } as Message, [BODY]);

  /** The requests of the session under test that carry the prompt (after any hook context). */
  const isPrompt = (part: string) =>
    part === PROMPT || part.endsWith(`</hook_context>\n\n${PROMPT}`);
  const turn = () =>
    requests.filter((r) => r.run === 2 && r.contents.some((c) => c.parts.some(isPrompt)));

  /** The room's agents of client gemini. */
  const geminiAgents = async () => {
    const { stdout } = await cli(['who', ROOM, '--json']);
    return (
      JSON.parse(stdout) as { agents: Array<{ name: string; client: string; status: string }> }
    ).agents.filter((a) => a.client === 'gemini');
  };

  before(async () => {
    assert.ok(geminiCli.installed, `CI must have the Gemini CLI: ${geminiCli.problem}`);
    mkdirSync(project, { recursive: true });
    mkdirSync(join(home, '.gemini'), { recursive: true });
    mkdirSync(machine, { recursive: true });
    mkdirSync(bin, { recursive: true });
    const git = spawnSync('git', ['init', '-q'], { cwd: project, encoding: 'utf8' });
    assert.equal(git.status, 0, `git init: ${git.error?.message ?? git.stderr}`);
    writeHuddleShim(bin); // what `npm link` would put on the PATH

    hub = await spawnHub(join(root, 'hub'));
    api = await startFakeModelApi(answer);

    await cli(['create', ROOM]);
    // HUDDLE_URL names the hub, so init writes --room and --hub into the hooks and the server.
    await cli(['init', 'gemini', '--room', ROOM]);
    await cli(['agent', ROOM, 'bob']);
    // The API-key auth type, and nothing that calls Google besides the (fake) model.
    writeFileSync(
      join(home, '.gemini', 'settings.json'),
      JSON.stringify({
        security: { auth: { selectedType: 'gemini-api-key' } },
        privacy: { usageStatisticsEnabled: false },
        general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
      }),
    );

    const env = envWithoutHuddle();
    for (const key of Object.keys(env))
      if (/^(GEMINI|GOOGLE|CLOUDSDK|CLAUDE)/.test(key)) delete env[key];
    Object.assign(env, {
      HOME: home,
      HUDDLE_HOME: machine,
      PATH: `${bin}:${process.env.PATH}`,
      GEMINI_API_KEY: 'test',
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      GOOGLE_GEMINI_BASE_URL: api.url,
    });

    // An earlier session in the project: it makes the agent, and going, leaves it offline.
    const first = await runGemini(env);
    assert.equal(first, 0, `the earlier gemini -p exits 0\n${describeRun()}`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const agents = await geminiAgents();
      if (agents.length === 1 && agents[0]!.status === 'offline') {
        agent = agents[0]!.name;
        break;
      }
      assert.ok(
        Date.now() < deadline,
        `one gemini agent, offline after its session: ${JSON.stringify(agents)}\n${describeRun()}`,
      );
      await new Promise((r) => setTimeout(r, 100));
    }

    // Bob writes while no session runs: the message waits for the next one.
    const out = await cli(['send', ROOM, agent, BODY, '--as', 'bob', '--json']);
    sent = {
      id: (JSON.parse(out.stdout) as { message: { id: string } }).message.id,
      at: Date.now(),
    };

    const started = Date.now();
    const result = await runGemini(env);
    elapsed = Date.now() - started;
    assert.notEqual(result, 'timeout', `gemini -p ends within 25 s\n${describeRun()}`);
    exitCode = result as number | null;
  });

  test('gemini -p answers "ok" and exits 0, as the same agent as the earlier session', async () => {
    assert.equal(exitCode, 0, describeRun());
    assert.equal(api!.error(), undefined, describeRun());
    const out = JSON.parse(gemini!.stdout()) as { response?: string };
    assert.equal(out.response, 'ok', describeRun());
    assert.ok(turn().length >= 1, `a model request with the prompt\n${describeRun()}`);
    assert.deepEqual(
      (await geminiAgents()).map((a) => a.name),
      [agent],
      'the session takes the name of the earlier one',
    );
    console.log(
      `gemini -p: ${elapsed} ms in all, ${requests.filter((r) => r.run === 2).length} model request(s); the prompt reached the model ${turn()[0]!.at - sent!.at} ms after bob's message`,
    );
  });

  test('the request to the model holds the SessionStart digest: the agent and its room', () => {
    const request = turn()[0];
    assert.ok(request, describeRun());
    const digest = hookContexts(request).filter((c) => c.startsWith('huddle: you are agent '));
    assert.equal(digest.length, 1, describeRun());
    assert.ok(
      digest[0]!.startsWith(`huddle: you are agent "${agent}" in room "${ROOM}".\n`),
      describeRun(),
    );
    // It counts bob's message, waiting since before the session.
    assert.match(digest[0]!, /\n1 unread message\b/, describeRun());
    // Gemini CLI puts it before the prompt, in the same part.
    const user = request.contents.findLast((c) => c.role === 'user')!;
    assert.ok(
      user.parts.some(
        (p) => p.endsWith(`</hook_context>\n\n${PROMPT}`) && p.includes(`"${agent}"`),
      ),
      describeRun(),
    );
  });

  test("bob's message, sent before the session, comes with the prompt from BeforeAgent", async () => {
    const request = turn()[0];
    assert.ok(request, describeRun());
    // BeforeAgent's additionalContext, exactly: the framed message under huddle's head line.
    assert.deepEqual(
      hookContexts(request).filter((c) => c.includes(BODY)),
      [messagesText(framed())],
      describeRun(),
    );
    // Its own part, after the prompt it goes with, and nowhere else in the request.
    const user = request.contents.findLast((c) => c.role === 'user')!;
    const prompt = user.parts.findIndex(isPrompt);
    const withMessage = user.parts.findIndex((p) => p.includes(BODY));
    assert.ok(prompt >= 0 && withMessage > prompt, describeRun());
    assert.equal(request.text.split(BODY).length - 1, 1, `the message once\n${describeRun()}`);
    assert.ok(
      !requests.some((r) => r.run === 1 && r.text.includes(BODY)),
      'not in the earlier run',
    );

    const { stdout } = await cli(['receipts', ROOM, sent!.id, '--json']);
    const { receipts } = JSON.parse(stdout) as {
      receipts: Array<{ agent: string; injected_at: string | null }>;
    };
    assert.ok(
      receipts.find((r) => r.agent === agent)?.injected_at,
      `the message is recorded injected: ${stdout}`,
    );
  });
});
