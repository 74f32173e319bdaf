// MCP over Streamable HTTP at /mcp with the official SDK client: identity from the token and the
// agent named in the URL, the same tools as stdio, and refusals without a token or an agent;
// only a tool call registers an agent, and the stateless endpoint serves nothing but POST.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createHubClient } from '../../src/client/hub-client.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
let token: string;
const clients: Client[] = [];

async function connect(agent: string, auth = true): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp?agent=${agent}`), {
    requestInit: {
      headers: auth ? { authorization: `Bearer ${token}`, 'x-huddle-client': 'codex' } : {},
    },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

before(async () => {
  hub = await startTestHub();
  ({ token } = await createHubClient({ url: hub.url }).createRoom({
    name: 'httpmcp',
    label: 'ci',
  }));
});
after(async () => {
  for (const c of clients) await c.close();
  await hub.stop();
});

test('an agent named in the URL is registered and works through the tools over HTTP', async () => {
  const carol = await connect('carol');
  const dave = await connect('dave');
  // Each agent's first tool call registers it.
  await dave.callTool({ name: 'who', arguments: {} });
  const { tools } = await carol.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [
    'checkpoint',
    'history',
    'inbox',
    'note',
    'room',
    'send',
    'tasks',
    'who',
  ]);
  const who = await carol.callTool({ name: 'who', arguments: {} });
  assert.match(text(who), /- carol: online, codex/);
  const sent = await carol.callTool({ name: 'send', arguments: { to: 'dave', body: 'over http' } });
  assert.ok(!sent.isError, text(sent));
  const inbox = await dave.callTool({ name: 'inbox', arguments: {} });
  assert.match(text(inbox), /from agent "carol"[\s\S]*> over http/);
  const room = await dave.callTool({ name: 'room', arguments: {} });
  assert.match(text(room), /you are dave/);
  const acked = await dave.callTool({ name: 'inbox', arguments: { op: 'ack', all: true } });
  assert.equal((acked.structuredContent as { acked: string[] }).acked.length, 1);
  assert.match(
    text(await carol.callTool({ name: 'note', arguments: { text: 'over http' } })),
    /Noted as #\d+/,
  );
  const cp = await carol.callTool({
    name: 'checkpoint',
    arguments: { text: '# v1', expected_version: 0 },
  });
  assert.match(text(cp), /version 1/);
  const history = await carol.callTool({ name: 'history', arguments: { after: 0 } });
  assert.match(text(history), /note by ci[\s\S]*checkpoint by ci/);
});

test('/mcp refuses a request without a token, and one that names no agent', async () => {
  const none = await fetch(`${hub.url}/mcp?agent=x`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'missing_token');
  const anonymous = await fetch(`${hub.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(anonymous.status, 400);
  assert.equal(
    ((await anonymous.json()) as { error: { code: string } }).error.code,
    'agent_required',
  );
});

/** The room's agents and the seq of its last event, to show that nothing changed. */
async function roomState() {
  const client = createHubClient({ url: hub.url, token });
  const agents = (await client.agents('httpmcp')).agents.map((a) => a.name).sort();
  const { cursor } = await client.read('httpmcp', 1);
  return { agents, head: cursor };
}

test('GET, DELETE and every method but POST are 405 at once, with no agent registered', async () => {
  const before = await roomState();
  for (const method of ['GET', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS']) {
    const res = await fetch(`${hub.url}/mcp?agent=ghost-${method.toLowerCase()}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: method === 'PUT' || method === 'PATCH' ? '{}' : undefined,
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'POST');
    if (method !== 'HEAD') {
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'method_not_allowed');
    }
  }
  assert.deepEqual(await roomState(), before, 'no agent and no event');
});

test('a client that connects, lists tools and pings, then leaves, registers no agent', async () => {
  const before = await roomState();
  const probe = await connect('health-check');
  await probe.listTools();
  await probe.ping();
  await probe.close();
  assert.deepEqual(await roomState(), before, 'no agent and no activity line');
  // Its first tool call registers it.
  const again = await connect('health-check');
  await again.callTool({ name: 'room', arguments: {} });
  assert.ok((await roomState()).agents.includes('health-check'));
});

test('a tool call inside a JSON-RPC batch registers the agent too', async () => {
  const rpc = (body: unknown) =>
    fetch(`${hub.url}/mcp?agent=batcher`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  const listOnly = await rpc([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]);
  assert.equal(listOnly.status, 200);
  assert.ok(!(await roomState()).agents.includes('batcher'));
  const batch = await rpc([
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'who', arguments: {} } },
  ]);
  assert.equal(batch.status, 200);
  const answers = (await batch.json()) as Array<{ id: number; result?: { content: unknown } }>;
  assert.match(JSON.stringify(answers.find((a) => a.id === 3)), /batcher/);
  assert.ok((await roomState()).agents.includes('batcher'));
});

test('a body that is not JSON gets the JSON-RPC parse error, and registers nothing', async () => {
  const before = await roomState();
  const res = await fetch(`${hub.url}/mcp?agent=garbled`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    },
    body: '{"jsonrpc": "2.0", "method": "tools/call"',
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: number } }).error.code, -32700);
  assert.deepEqual(await roomState(), before);
});
