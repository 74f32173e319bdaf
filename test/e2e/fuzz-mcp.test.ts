// Property-based fuzzing of MCP over Streamable HTTP at /mcp: tool calls with generated arguments
// for each tool, arbitrary JSON-RPC (methods, ids, params, batches, notifications, broken JSON),
// and odd headers. The hub answers below 500 with JSON-RPC results, JSON-RPC errors (never an
// internal one) or tool results with isError carrying a hub error code; it logs no error and the
// process sees no crash.
//
// HUDDLE_FUZZ_RUNS=2000 node --test dist/test/e2e/fuzz-mcp.test.js runs each property longer.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { TASK_OPS } from '../../src/mcp/task-tool.js';
import {
  AGENTS,
  assertNoHubErrors,
  assertRestAnswer,
  assertStillServing,
  startFuzzWorld,
  watchCrashes,
} from '../helpers/fuzz-hub.js';
import {
  anyJson,
  bodyOf,
  brokenJson,
  deepValue,
  fuzzOptions,
  headerSafe,
  nastyInt,
  nastyString,
  oneOr,
  percentEncode,
} from '../helpers/fuzz-values.js';
import { rawHttp, type RawResponse } from '../helpers/raw-http.js';

const crashes = watchCrashes();
const world = await startFuzzWorld();
after(async () => {
  await world.stop();
  crashes.dispose();
});

const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

function postMcp(
  body: string | Buffer,
  headers: Record<string, string | undefined> = {},
  agent: string | undefined = 'ada',
): Promise<RawResponse> {
  return rawHttp(world.hub.url, {
    method: 'POST',
    path: agent === undefined ? '/mcp' : `/mcp?agent=${percentEncode(agent)}`,
    headers: { authorization: `Bearer ${world.admin}`, ...MCP_HEADERS, ...headers },
    body,
  });
}

type Json = Record<string, unknown>;

/**
 * The MCP SDK (1.x) answers params that fail a spec method's schema (`initialize` without params,
 * `tools/call` with `arguments: []`) with -32603 and the schema's issues as the message, where
 * JSON-RPC wants -32602: modelcontextprotocol/typescript-sdk#2284. A refusal all the same, so
 * tolerated here; any other -32603 is the hub's failure.
 */
function sdkParamsRefusal(e: Json): boolean {
  try {
    const issues = JSON.parse(String(e.message)) as Array<{ code?: unknown; path?: unknown }>;
    return (
      Array.isArray(issues) &&
      issues.length > 0 &&
      issues.every((i) => typeof i.code === 'string' && Array.isArray(i.path))
    );
  } catch {
    return false;
  }
}

/**
 * One JSON-RPC answer: a result or an error, never the SDK's internal error; a tool result that
 * is an error names a hub error code, never the `error` of an exception the tool did not expect.
 */
function assertJsonRpcAnswer(m: Json, what: string): void {
  assert.equal(m.jsonrpc, '2.0', `${what}: ${JSON.stringify(m).slice(0, 300)}`);
  assert.ok('result' in m !== 'error' in m, `${what}: result xor error`);
  if ('error' in m) {
    const e = m.error as Json;
    assert.equal(typeof e.code, 'number', what);
    if (e.code === -32603 && sdkParamsRefusal(e)) return;
    assert.notEqual(e.code, -32603, `${what}: internal error ${JSON.stringify(e).slice(0, 400)}`);
    return;
  }
  const r = m.result as Json;
  if (r.isError !== true) return;
  const text = ((r.content as Json[] | undefined)?.[0]?.text as string | undefined) ?? '';
  assert.doesNotMatch(text, /-32603|internal_error/, `${what}: ${text.slice(0, 400)}`);
  const err = (r.structuredContent as { error?: Json } | undefined)?.error;
  if (err) {
    assert.equal(typeof err.code, 'string', what);
    assert.notEqual(err.code, 'error', `${what}: an unexpected exception: ${text.slice(0, 400)}`);
  }
}

/** An HTTP answer of /mcp: below 500; JSON-RPC answers on 200, nothing on 202, else a refusal. */
function assertMcpAnswer(res: RawResponse, what: string): Json[] {
  assertRestAnswer(res, `/mcp ${what}`);
  if (res.status === 202) {
    assert.equal(res.text, '', `${what}: 202 with a body`);
    return [];
  }
  if (res.status !== 200) return [];
  const body = JSON.parse(res.text) as Json | Json[];
  const answers = Array.isArray(body) ? body : [body];
  for (const m of answers) assertJsonRpcAnswer(m, what);
  return answers;
}

const str = nastyString;
const bool = fc.boolean();
const list = (item: fc.Arbitrary<unknown>) => fc.array(item, { maxLength: 4 });
const taskId = oneOr(world.ids.tasks, str);

/** Each tool's arguments as its inputSchema lists them (src/mcp), with values to match. */
const TOOLS: Record<string, [Record<string, fc.Arbitrary<unknown>>, string[]]> = {
  room: [{ limit: nastyInt }, []],
  history: [
    {
      after: nastyInt,
      limit: nastyInt,
      types: list(oneOr(['task.*', 'note', 'message'], str)),
      actor: oneOr(['fuzz-admin', ...AGENTS], str),
      since: oneOr(['1h', '2026-01-01T00:00:00Z'], str),
    },
    [],
  ],
  note: [{ text: oneOr(['a note over mcp'], str) }, ['text']],
  checkpoint: [
    {
      op: oneOr(['set', 'vars', 'var_get', 'var_set', 'var_del'], str),
      text: str,
      expected_version: nastyInt,
      key: oneOr(['build', 'fresh'], str),
      value: str,
    },
    [],
  ],
  send: [
    {
      to: oneOr(['bob', 'ada', '*', 'bob,alice', 'ghost'], str),
      body: oneOr(['hello over mcp'], str),
      kind: oneOr(['chat', 'finding', 'review'], str),
      reply_to: oneOr(world.ids.messages, str),
      urgent: bool,
      share: bodyOf({ path: str, start_line: nastyInt, end_line: nastyInt, content: str }, [
        'path',
      ]),
    },
    [],
  ],
  inbox: [
    {
      op: oneOr(['read', 'peek', 'ack'], str),
      ids: list(oneOr(world.ids.messages, str)),
      all: bool,
    },
    [],
  ],
  who: [
    {
      op: oneOr(['agents', 'leases', 'lease', 'release'], str),
      path: oneOr(['src/**', 'README.md'], str),
      paths: list(oneOr(['src/**', 'docs/*.md'], str)),
      mode: oneOr(['exclusive', 'shared'], str),
      reason: str,
      ttl_seconds: nastyInt,
      ids: list(oneOr(world.ids.leases, str)),
      force: bool,
    },
    [],
  ],
  tasks: [
    {
      op: oneOr([...TASK_OPS], str),
      id: taskId,
      title: oneOr(['a task over mcp'], str),
      description: str,
      priority: oneOr(['critical', 'high', 'medium', 'low'], str),
      depends_on: list(taskId),
      assignee: oneOr([...AGENTS], str),
      result: str,
      to: oneOr([...AGENTS], str),
      note: str,
      status: oneOr(['all', 'open,claimed'], str),
      force: bool,
      tasks: list(
        bodyOf({ ref: str, title: str, priority: str, depends_on: list(str), assignee: str }, [
          'title',
        ]),
      ),
    },
    [],
  ],
};

let ids = 0;

for (const [tool, [fields, required]] of Object.entries(TOOLS)) {
  test(`tools/call ${tool} with generated arguments answers a result or a tool error`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 12, arbitrary: bodyOf(fields, required) },
          { weight: 1, arbitrary: anyJson },
          { weight: 1, arbitrary: deepValue },
        ),
        async (args) => {
          const id = ++ids;
          const body = JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: tool, arguments: args },
          });
          const res = await postMcp(body);
          const what = `tools/call ${tool} ${JSON.stringify(args)?.slice(0, 300)}`;
          // Huge strings add up: a body over the limit is the edge's to refuse.
          const over = Buffer.byteLength(body) > world.hub.config.body_limit_bytes;
          assert.equal(res.status, over ? 413 : 200, `${what}: ${res.text.slice(0, 300)}`);
          if (!over) {
            const [answer] = assertMcpAnswer(res, what);
            assert.equal(answer?.id, id, what);
          }
          assertNoHubErrors(world);
          crashes.assertNone();
        },
      ),
      fuzzOptions(40),
    );
  });
}

const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
];

const rpcId = fc.oneof(
  { weight: 6, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: deepValue },
);

const params = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        name: oneOr(Object.keys(TOOLS), str),
        arguments: anyJson,
        protocolVersion: oneOr(['2025-06-18', '2025-03-26', '2024-11-05'], str),
        capabilities: anyJson,
        clientInfo: fc.oneof(fc.constant({ name: 'fuzz', version: '1' }), anyJson),
        cursor: str,
        uri: str,
        level: oneOr(['debug', 'info', 'emergency'], str),
        requestId: rpcId,
        _meta: fc.oneof(fc.record({ progressToken: rpcId }), anyJson),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: deepValue },
);

const message = fc
  .record(
    {
      jsonrpc: oneOr(['2.0'], fc.oneof(str, anyJson)),
      id: rpcId,
      method: oneOr(METHODS, str),
      params,
    },
    { requiredKeys: ['jsonrpc', 'method'] },
  )
  .map((m) => JSON.parse(JSON.stringify(m)) as unknown);

const rpcBody = fc.oneof(
  { weight: 8, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.array(message, { maxLength: 5 }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: brokenJson },
);

test('any JSON-RPC message or batch answers below 500 with JSON-RPC, never an internal error', async () => {
  await fc.assert(
    fc.asyncProperty(rpcBody, async (body) => {
      const res = await postMcp(body);
      assertMcpAnswer(res, `body ${body.slice(0, 300)}`);
      assertNoHubErrors(world);
      crashes.assertNone();
    }),
    fuzzOptions(200),
  );
  await assertStillServing(world);
});

test('odd headers on /mcp are refused with a 4xx or served, never a 5xx', async () => {
  const header = (known: string[]) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: fc.constantFrom(...known) },
      { weight: 1, arbitrary: str.map(headerSafe) },
    );
  const headers = fc.record({
    accept: header([
      'application/json, text/event-stream',
      'application/json',
      'text/event-stream',
      '*/*',
    ]),
    'content-type': header(['application/json', 'application/json; charset=utf-8']),
    'mcp-protocol-version': header(['2025-06-18', '2025-03-26', '1999-01-01']),
    'mcp-session-id': header(['abc', '']),
    'x-huddle-agent': header(['bob', 'Not A Name', 'a'.repeat(49)]),
    'x-huddle-client': header(['codex', 'claude-code', 'nonsense']),
    'last-event-id': header(['1']),
  });
  const agent = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...AGENTS) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: str },
  );
  const body = fc.constantFrom(
    '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"who","arguments":{}}}',
    '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    '{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}',
  );
  await fc.assert(
    fc.asyncProperty(headers, agent, body, async (h, a, b) => {
      const res = await rawHttp(world.hub.url, {
        method: 'POST',
        path: a === undefined ? '/mcp' : `/mcp?agent=${percentEncode(a)}`,
        headers: { authorization: `Bearer ${world.admin}`, ...h },
        body: b,
      });
      assertMcpAnswer(res, `headers ${JSON.stringify(h)} agent ${a}`);
      assertNoHubErrors(world);
      crashes.assertNone();
    }),
    fuzzOptions(150),
  );
  await assertStillServing(world);
});
