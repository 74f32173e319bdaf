// The session link between a client's `huddle mcp` and its hooks: two Claude Code sessions in the
// same directory, each a separate parent process that starts its bridge and later its hooks. The
// second bridge takes the suffixed default name, and the hooks of each session act for the agent
// of their own bridge, found through the link file named for the shared parent. The link goes
// away when the bridge's stdin closes and it exits.

import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createHubClient, type HubClient } from '../../src/client/hub-client.js';
import { defaultAgent } from '../../src/cli/repo-identity.js';
import { startTime } from '../../src/hooks/process-tree.js';
import { findSessionLink } from '../../src/hooks/session-link.js';
import { huddle, huddleOk } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { envWithoutHuddle } from '../helpers/process-env.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'linkroom';

/**
 * A stand-in for Claude Code: starts `huddle mcp` with its stdio inherited (so the test's MCP
 * client talks to the bridge through this process's pipes), and on SIGUSR2 runs
 * `huddle hook pre-tool-use` as its own child. It reports on stderr, one `@@<json>` line each:
 * the bridge's pid, each hook's result, and the bridge's exit.
 */
const CLIENT_SCRIPT = `
const { spawn } = require('node:child_process');
const [cli, room] = process.argv.slice(1);
const say = (o) => process.stderr.write('@@' + JSON.stringify(o) + '\\n');
const bridge = spawn(process.execPath, [cli, 'mcp', '--client', 'claude-code', '--room', room], {
  stdio: 'inherit',
});
say({ bridge: bridge.pid });
bridge.on('exit', (code, signal) => say({ exit: { code, signal } }));
process.on('SIGTERM', () => bridge.kill('SIGTERM'));
process.on('SIGUSR2', () => {
  const hook = spawn(process.execPath, [cli, 'hook', 'pre-tool-use', '--room', room], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  hook.stdout.on('data', (d) => (out += d));
  hook.stderr.on('data', (d) => (err += d));
  hook.on('close', (code) => say({ hook: { code, out, err } }));
  hook.stdin.end(
    JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }),
  );
});
`;

type Report =
  | { bridge: number }
  | { exit: { code: number | null; signal: string | null } }
  | { hook: { code: number | null; out: string; err: string } };

interface Session {
  client: Client;
  /** The stand-in client process (the bridge's parent). */
  pid: number;
  bridgePid: number;
  linkPath: string;
  /** Runs a hook under this session's parent; resolves to its additionalContext ('' for none). */
  hook(): Promise<string>;
  /** Closes the MCP client (its stdin) and resolves to how the bridge exited. */
  close(): Promise<{ code: number | null; signal: string | null }>;
  stderr(): string;
  /** Whether the bridge has been seen to exit. */
  exited(): boolean;
}

let hub: TestHub;
const home = tempDir();
const project = tempDir('huddle-link-project-');
let hc: HubClient;
let base: string;
const sessions: Session[] = [];

before(async () => {
  hub = await startTestHub();
  mkdirSync(join(project.path, '.git'));
  await huddleOk(['create', ROOM, '--label', 'laptop'], { home: home.path, url: hub.url });
  const file = JSON.parse(readFileSync(join(home.path, 'config.json'), 'utf8')) as {
    hubs: Record<string, { rooms: Record<string, { token: string }> }>;
  };
  hc = createHubClient({ url: hub.url, token: file.hubs[hub.url]!.rooms[ROOM]!.token });
  await hc.registerAgent(ROOM, { name: 'bob' });
  base = defaultAgent('claude-code', project.path);
});

after(async () => {
  for (const s of sessions) {
    if (s.exited()) continue;
    await s.client.close().catch(() => {});
    if (s.exited()) continue;
    for (const pid of [s.bridgePid, s.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await hub.stop();
  home.remove();
  project.remove();
});

async function startSession(): Promise<Session> {
  const env = envWithoutHuddle({
    HUDDLE_HOME: home.path,
    HUDDLE_URL: hub.url,
    CLAUDE_PROJECT_DIR: project.path,
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['-e', CLIENT_SCRIPT, CLI_PATH, ROOM],
    env,
    cwd: project.path,
    stderr: 'pipe',
  });
  let err = '';
  let buffered = '';
  const reports: Report[] = [];
  const listeners = new Set<() => void>();
  transport.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines)
      if (line.startsWith('@@')) reports.push(JSON.parse(line.slice(2)) as Report);
    for (const l of listeners) l();
  });
  /** The first report after `from` that `pick` accepts. */
  const next = <T>(from: number, pick: (r: Report) => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        for (const r of reports.slice(from)) {
          const found = pick(r);
          if (found !== undefined) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no report in time; stderr:\n${err}`));
      }, 8000);
      listeners.add(check);
      check();
    });

  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  await client.connect(transport);
  // The first tool call of a session registers its agent.
  await client.callTool({ name: 'room', arguments: {} });
  const pid = transport.pid!;
  const bridgePid = await next(0, (r) => ('bridge' in r ? r.bridge : undefined));
  const session: Session = {
    client,
    pid,
    bridgePid,
    linkPath: join(home.path, 'run', `client-${pid}.json`),
    async hook() {
      const from = reports.length;
      process.kill(pid, 'SIGUSR2');
      const result = await next(from, (r) => ('hook' in r ? r.hook : undefined));
      assert.equal(result.code, 0, result.err);
      assert.equal(result.err, '', 'the hook warned');
      if (result.out.trim() === '') return '';
      return (JSON.parse(result.out) as { hookSpecificOutput: { additionalContext: string } })
        .hookSpecificOutput.additionalContext;
    },
    async close() {
      const exited = next(0, (r) => ('exit' in r ? r.exit : undefined));
      await client.close();
      return exited;
    },
    stderr: () => err,
    exited: () => reports.some((r) => 'exit' in r),
  };
  sessions.push(session);
  return session;
}

/** The link file without the client's start time, which is checked on its own. */
function linkOf(s: Session) {
  const { client_started, ...link } = JSON.parse(readFileSync(s.linkPath, 'utf8')) as {
    url: string;
    room: string;
    agent: string;
    pid: number;
    client_started: string | null;
  };
  assert.match(String(client_started), /^\d+$/, 'the client start time, from /proc');
  return link;
}
const idsIn = (text: string) =>
  [...text.matchAll(/\[message (msg_[A-Za-z0-9]+) from /g)].map((m) => m[1]!);

test('two sessions in one directory: each hook acts for its own bridge, and the link goes on exit', async () => {
  const first = await startSession();
  const second = await startSession();
  assert.notEqual(first.pid, second.pid);

  assert.deepEqual(linkOf(first), { url: hub.url, room: ROOM, agent: base, pid: first.bridgePid });
  assert.deepEqual(linkOf(second), {
    url: hub.url,
    room: ROOM,
    agent: `${base}-2`,
    pid: second.bridgePid,
  });
  assert.equal(statSync(first.linkPath).mode & 0o777, 0o600);
  assert.equal(statSync(join(home.path, 'run')).mode & 0o777, 0o700);
  const { agents } = await hc.agents(ROOM);
  const online = agents
    .filter((a) => a.status === 'online' && a.name.startsWith(base))
    .map((a) => a.name);
  assert.deepEqual(online.sort(), [base, `${base}-2`].sort());

  const toSecond = await hc.send(ROOM, 'bob', { to: `${base}-2`, body: 'for the second session' });
  const toFirst = await hc.send(ROOM, 'bob', { to: base, body: 'for the first session' });

  const shownSecond = await second.hook();
  assert.deepEqual(idsIn(shownSecond), [toSecond.message.id], shownSecond);
  assert.match(shownSecond, /for the second session/);
  assert.equal(await second.hook(), '', 'nothing more for the second session');

  const shownFirst = await first.hook();
  assert.deepEqual(idsIn(shownFirst), [toFirst.message.id], shownFirst);

  // A third session whose own bridge has not started: the default name is the first session's, so
  // its hook takes nothing meant for that session, and says why.
  const another = await hc.send(ROOM, 'bob', { to: base, body: 'still for the first session' });
  const third = await huddle(['hook', 'pre-tool-use', '--room', ROOM], {
    home: home.path,
    url: hub.url,
    cwd: project.path,
    env: { CLAUDE_PROJECT_DIR: project.path, HUDDLE_AGENT: '', HUDDLE_ROOM: '' },
    input: JSON.stringify({ session_id: 'third', tool_name: 'Bash', tool_input: {} }),
  });
  assert.equal(third.code, 0);
  assert.equal(third.stdout, '');
  assert.match(third.stderr, new RegExp(`another session's huddle mcp speaks for "${base}"`));
  const stillThere = await first.hook();
  assert.deepEqual(idsIn(stillThere), [another.message.id], stillThere);

  // Closing the client's side of stdin ends the second bridge, which removes its own link only.
  const exit = await second.close();
  assert.deepEqual(exit, { code: 0, signal: null }, second.stderr());
  assert.equal(existsSync(second.linkPath), false, 'the link is removed');
  assert.equal(existsSync(first.linkPath), true, "the other session's link stays");

  const exitFirst = await first.close();
  assert.deepEqual(exitFirst, { code: 0, signal: null }, first.stderr());
  assert.equal(existsSync(first.linkPath), false);
  assert.deepEqual(readdirSync(join(home.path, 'run')), [], 'no link or temporary file is left');
});

test('a bridge stopped by a signal removes its link; a link of an earlier process with the pid is ignored', async (t) => {
  const env = envWithoutHuddle({ HUDDLE_HOME: home.path, HUDDLE_URL: hub.url });
  const linkPath = join(home.path, 'run', `client-${process.pid}.json`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, 'mcp', '--room', ROOM, '--as', 'signalled'],
    env,
    cwd: project.path,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'claude-code', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid!;
  const exited = new Promise<void>((resolve) => (transport.onclose = () => resolve()));
  t.after(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  assert.ok(existsSync(linkPath));
  const link = JSON.parse(readFileSync(linkPath, 'utf8')) as { agent: string };
  assert.equal(link.agent, 'signalled');
  process.kill(pid, 'SIGTERM');
  await exited;
  assert.ok(!existsSync(linkPath), 'the link is removed on SIGTERM');

  // A hook looks among its ancestors: here, this test's parent. A link left there by a bridge
  // killed outright, for an earlier process with that pid, does not count.
  const parentLink = join(home.path, 'run', `client-${process.ppid}.json`);
  const record = { url: hub.url, room: ROOM, agent: 'stale', pid: 1, client_started: '1' };
  writeFileSync(parentLink, JSON.stringify(record));
  assert.equal(findSessionLink(home.path, hub.url, ROOM), null);
  writeFileSync(
    parentLink,
    JSON.stringify({ ...record, agent: 'live', client_started: startTime(process.ppid) }),
  );
  assert.equal(findSessionLink(home.path, hub.url, ROOM)?.agent, 'live');
  rmSync(parentLink);
});
