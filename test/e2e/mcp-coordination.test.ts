// Coordination through the MCP tools: the task board, file leases, shared variables, the
// activity log and shared snippets, with `huddle mcp` over stdio (two agents in a git checkout)
// and once over the hub's own /mcp endpoint.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createHubClient } from '../../src/client/hub-client.js';
import type { Lease, Task } from '../../src/core/types.js';
import { huddleOk } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'coordroom';
let hub: TestHub;
const home = tempDir();
const repo = tempDir('huddle-repo-');
const clients: Client[] = [];
let alice: Client;
let bob: Client;

async function connect(agent: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  // The bridge prefers CLAUDE_PROJECT_DIR to its working directory: the test's repo must win.
  delete env.CLAUDE_PROJECT_DIR;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp', '--room', ROOM, '--as', agent, '--client', 'claude-code'],
    env: { ...env, HUDDLE_HOME: home.path, HUDDLE_URL: hub.url },
    cwd: repo.path,
    stderr: 'pipe',
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (r: unknown) =>
  (r as CallToolResult).content.map((c) => (c as { text: string }).text).join('\n');

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.ok(!result.isError, `${name} ${JSON.stringify(args)}: ${text(result)}`);
  return result;
}

async function refused(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.equal(result.isError, true, `${name} ${JSON.stringify(args)}: ${text(result)}`);
  return text(result);
}

before(async () => {
  hub = await startTestHub();
  mkdirSync(join(repo.path, '.git'));
  mkdirSync(join(repo.path, 'src'));
  writeFileSync(join(repo.path, 'src', 'parser.ts'), 'export const a = 1;\nexport const b = 2;\n');
  await huddleOk(['create', ROOM, '--label', 'laptop'], { home: home.path, url: hub.url });
  alice = await connect('alice');
  bob = await connect('bob');
});
after(async () => {
  for (const c of clients) await c.close();
  await hub.stop();
  home.remove();
  repo.remove();
});

test('tasks: add, plan, ready, claim against a holder, done unblocks, board', async () => {
  const added = await call(alice, 'tasks', { op: 'add', title: 'Write docs', priority: 'low' });
  assert.match(text(added), /^Added \[T-\w+\] OPEN +\[LOW\] Write docs/);

  const plan = await call(alice, 'tasks', {
    op: 'plan',
    tasks: [
      { ref: 'lex', title: 'Lexer', priority: 'high' },
      { ref: 'emit', title: 'Emitter', depends_on: ['lex'] },
    ],
  });
  assert.match(text(plan), /^Planned 2 tasks:\n.*Lexer \(ref lex\)\n.*BLOCKED.*Emitter/);
  const { tasks, refs } = plan.structuredContent as { tasks: Task[]; refs: Record<string, string> };
  const lexer = refs.lex!;
  const emitter = refs.emit!;
  assert.equal(tasks.length, 2);

  const ready = text(await call(bob, 'tasks', { op: 'ready' }));
  assert.match(ready, new RegExp(`^\\[${lexer}\\] OPEN +\\[HIGH\\] Lexer\\n.*Write docs$`));
  assert.ok(!ready.includes(emitter), ready);

  assert.equal(
    text(await call(alice, 'tasks', { op: 'claim', id: lexer })),
    `Claimed ${lexer}: Lexer.`,
  );
  assert.match(await refused(bob, 'tasks', { op: 'claim', id: lexer }), /task_claimed.*alice/);
  assert.match(await refused(bob, 'tasks', { op: 'claim' }), /invalid_request.*needs id/);
  assert.match(await refused(bob, 'tasks', { op: 'add' }), /needs title/);
  assert.match(await refused(bob, 'tasks', { op: 'handoff', id: lexer }), /needs to/);

  const done = text(await call(alice, 'tasks', { op: 'done', id: lexer, result: 'lexes' }));
  assert.match(
    done,
    new RegExp(`^Finished ${lexer}: Lexer\\.\\nUnblocked:\\n\\[${emitter}\\] OPEN`),
  );

  const board = text(await call(bob, 'tasks', {}));
  assert.match(board, new RegExp(`\\[${emitter}\\] OPEN .*Emitter`));
  assert.ok(!board.includes('Lexer'), board);
  const all = text(await call(bob, 'tasks', { op: 'board', status: 'all' }));
  assert.match(all, new RegExp(`\\[${lexer}\\] DONE .*Lexer \\(alice\\)`));
  const got = text(await call(bob, 'tasks', { op: 'get', id: lexer }));
  assert.match(got, /Result: lexes/);
});

test('leases: lease, a conflicting lease names the holder, check a path, release', async () => {
  const leased = await call(alice, 'who', {
    op: 'lease',
    paths: ['src/**'],
    reason: 'refactor',
    ttl_seconds: 600,
  });
  const lease = (leased.structuredContent as { lease: Lease }).lease;
  assert.match(text(leased), new RegExp(`^Leased: ${lease.id} alice exclusive src/\\*\\*`));

  const conflict = await refused(bob, 'who', { op: 'lease', paths: ['src/parser.ts'] });
  assert.match(conflict, /lease_conflict.*by alice \(lease L-\w+, reason: refactor\)/);

  const holder = text(await call(bob, 'who', { op: 'leases', path: 'src/parser.ts' }));
  assert.match(holder, new RegExp(`^${lease.id} alice exclusive src/\\*\\*`));
  assert.match(text(await call(bob, 'who', { op: 'leases', path: 'docs/x.md' })), /Nobody holds/);
  assert.match(await refused(bob, 'who', { op: 'lease' }), /needs paths/);

  const released = text(await call(alice, 'who', { op: 'release', paths: ['src/**'] }));
  assert.equal(released, `Released ${lease.id}.`);
  await call(bob, 'who', { op: 'lease', paths: ['src/parser.ts'], mode: 'shared' });
  await call(bob, 'who', { op: 'release', paths: ['src/parser.ts'] });
  assert.match(text(await call(bob, 'who', {})), /- alice: online, claude-code/);
});

test("one machine's agents share its admin member, yet change each other's tasks and leases only with force", async () => {
  // alice and bob both run on this home's "laptop" member, which created the room (admin).
  const id = (
    (await call(alice, 'tasks', { op: 'add', title: 'Alice only' })).structuredContent as {
      task: Task;
    }
  ).task.id;
  await call(alice, 'tasks', { op: 'start', id });
  for (const args of [
    { op: 'done', id },
    { op: 'cancel', id },
    { op: 'unclaim', id },
    { op: 'update', id, priority: 'low' },
    { op: 'handoff', id, to: 'bob' },
  ])
    assert.match(
      await refused(bob, 'tasks', args),
      /task_claimed.*in progress by alice; only alice can change it.*force: true/,
    );
  assert.match(await refused(bob, 'tasks', { op: 'claim', id, force: true }), /force is for/);

  const forced = await call(bob, 'tasks', { op: 'done', id, result: 'closed', force: true });
  assert.equal(text(forced), `Finished ${id} (overriding alice): Alice only.`);
  const event = (forced.structuredContent as { event: { body: Record<string, unknown> } }).event;
  assert.deepEqual(event.body.override, { by: 'bob', member: 'laptop', holder: 'alice' });
  const inbox = text(await call(alice, 'inbox', {}));
  assert.match(inbox, new RegExp(`bob \\(admin member "laptop"\\) overrode your hold: ${id}`));

  const leased = await call(alice, 'who', { op: 'lease', paths: ['src/own/**'] });
  const lease = (leased.structuredContent as { lease: Lease }).lease;
  assert.match(
    await refused(bob, 'who', { op: 'release', ids: [lease.id] }),
    new RegExp(`not_your_lease.*${lease.id} belongs to alice.*force: true`),
  );
  assert.match(await refused(bob, 'who', { op: 'agents', force: true }), /force is for op release/);
  assert.equal(
    text(await call(bob, 'who', { op: 'release', ids: [lease.id], force: true })),
    `Released ${lease.id} (overriding alice).`,
  );
});

test('variables: set, get, a stale set shows the current value, delete', async () => {
  const set = text(
    await call(alice, 'checkpoint', {
      op: 'var_set',
      key: 'api.port',
      value: '8080',
      expected_version: 0,
    }),
  );
  assert.equal(set, 'Set api.port = 8080 (v1 by alice).');
  assert.equal(
    text(await call(bob, 'checkpoint', { op: 'var_get', key: 'api.port' })),
    'api.port = 8080 (v1 by alice)',
  );
  const stale = await refused(bob, 'checkpoint', {
    op: 'var_set',
    key: 'api.port',
    value: '9090',
    expected_version: 0,
  });
  assert.match(stale, /variable_conflict.*version 1/);
  assert.match(stale, /Current: api\.port = 8080 \(v1 by alice\)/);
  assert.match(text(await call(bob, 'checkpoint', { op: 'vars' })), /^api\.port = 8080/);
  assert.match(
    await refused(bob, 'checkpoint', { op: 'var_set', key: 'x' }),
    /needs key and value/,
  );
  assert.match(await refused(bob, 'checkpoint', {}), /needs text/);
  assert.equal(
    text(await call(bob, 'checkpoint', { op: 'var_del', key: 'api.port', expected_version: 1 })),
    'Deleted api.port (was v1).',
  );
  assert.match(
    await refused(bob, 'checkpoint', { op: 'var_get', key: 'api.port' }),
    /variable_not_found/,
  );
});

test('history with a types filter lists the activity log in lines', async () => {
  await call(bob, 'tasks', { op: 'add', title: 'Trace it' });
  const id = (
    (await call(bob, 'tasks', { op: 'ready' })).structuredContent as { tasks: Task[] }
  ).tasks.find((t) => t.title === 'Trace it')!.id;
  await call(bob, 'tasks', { op: 'claim', id });
  const log = text(await call(alice, 'history', { types: ['task.claimed'] }));
  assert.match(log, new RegExp(`^\\d\\d:\\d\\d bob claimed ${id} Trace it$`, 'm'));
  assert.match(log, /^\d\d:\d\d alice claimed T-\w+ Lexer$/m);
  assert.ok(!/noted|leased/.test(log), log);
  assert.match(log, /End \(cursor \d+\)\.$/);
  const bobs = text(await call(alice, 'history', { types: ['task.*'], actor: 'bob', since: '1h' }));
  assert.ok(!bobs.includes('alice claimed'), bobs);
  assert.match(bobs, /bob added/);
});

test('send with share posts a file of the repository and refuses a path outside it', async () => {
  const shared = await call(alice, 'send', {
    to: 'bob',
    body: 'the exports',
    share: { path: 'src/parser.ts', start_line: 2, end_line: 2 },
  });
  assert.match(text(shared), /^Shared src\/parser\.ts:2-2 as \S+ to bob\.$/);
  const inbox = text(await call(bob, 'inbox', {}));
  assert.match(inbox, /> the exports/);
  assert.match(inbox, /> ```typescript\n> export const b = 2;\n> ```/);
  assert.ok(!inbox.includes('const a'), inbox);

  const outside = await refused(alice, 'send', { share: { path: '../x' } });
  assert.match(outside, /path_outside_root.*outside the repository root/);
  assert.match(await refused(alice, 'send', { to: 'bob' }), /Give body/);
});

test('the room shows the agent its tasks and leases', async () => {
  const id = (
    (await call(alice, 'tasks', { op: 'add', title: 'Hold me' })).structuredContent as {
      task: Task;
    }
  ).task.id;
  await call(alice, 'tasks', { op: 'start', id });
  await call(alice, 'who', { op: 'lease', paths: ['src/room.ts'] });
  const room = await call(alice, 'room', {});
  assert.match(
    text(room),
    new RegExp(`## Your tasks\\n\\[${id}\\] IN_PROGRESS .*Hold me \\(alice\\)`),
  );
  assert.match(text(room), /## Your leases\nL-\w+ alice exclusive src\/room\.ts until /);
  const data = room.structuredContent as { tasks: Task[]; leases: Lease[] };
  assert.deepEqual(
    data.tasks.map((t) => t.id),
    [id],
  );
  assert.equal(data.leases.length, 1);
  const bobs = text(await call(bob, 'room', {}));
  assert.match(bobs, /## Your leases\nNone\./);
});

test('over HTTP /mcp the tasks tool works, and a share needs its content', async () => {
  const { token } = await createHubClient({ url: hub.url }).createRoom({
    name: 'coordhttp',
    label: 'ci',
  });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp?agent=carol`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  const added = text(await call(client, 'tasks', { op: 'add', title: 'Over HTTP' }));
  assert.match(added, /^Added \[T-\w+\] OPEN +\[MEDIUM\] Over HTTP$/);
  // The same override rule through the hub's own session: dave shares carol's admin member.
  const dave = new Client({ name: 'test', version: '1.0.0' });
  await dave.connect(
    new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp?agent=dave`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(dave);
  const held = (
    (await call(client, 'tasks', { op: 'add', title: 'Carol holds' })).structuredContent as {
      task: Task;
    }
  ).task.id;
  await call(client, 'tasks', { op: 'claim', id: held });
  assert.match(await refused(dave, 'tasks', { op: 'unclaim', id: held }), /task_claimed.*carol/);
  assert.equal(
    text(await call(dave, 'tasks', { op: 'unclaim', id: held, force: true })),
    `Unclaimed ${held} (overriding carol): Carol holds.`,
  );
  assert.match(text(await call(client, 'tasks', { op: 'ready' })), /Over HTTP/);

  const missing = await refused(client, 'send', { share: { path: 'src/a.ts' } });
  assert.match(missing, /content_required.*Over HTTP/);
  const shared = await call(client, 'send', {
    body: 'see',
    share: { path: 'src/a.ts', start_line: 3, end_line: 4, content: 'x\ny' },
  });
  assert.match(text(shared), /^Shared src\/a\.ts:3-4 as \S+/);
  const history = text(await call(client, 'history', { types: ['message'] }));
  assert.match(history, /carol → .*\(context\)/);
});
