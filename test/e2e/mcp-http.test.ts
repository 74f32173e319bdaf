// MCP over Streamable HTTP at /mcp with the official SDK client: identity from the token and the
// agent named in the URL, the same tools as stdio, and refusals without a token or an agent.

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
  const none = await fetch(`${hub.url}/mcp?agent=x`, { method: 'POST', body: '{}' });
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
