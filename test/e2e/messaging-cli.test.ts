// Agents and messages through the built `huddle` command: agent, who, send, inbox, ack, reply, receipts, watch.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { CLI_PATH, startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'cli-msg';

let hub: TestHub;
let dirA: ReturnType<typeof tempDir>;
let dirB: ReturnType<typeof tempDir>;

/** Machine A runs agent alice; machine B runs two agents, bob and carol. */
const A = (args: string[], env?: Record<string, string>, input?: string) =>
  huddle(args, { home: dirA.path, url: hub.url, env, input });
const B = (args: string[], env?: Record<string, string>, input?: string) =>
  huddle(args, { home: dirB.path, url: hub.url, env, input });
const okA = (args: string[], env?: Record<string, string>, input?: string) =>
  huddleOk(args, { home: dirA.path, url: hub.url, env, input });
const okB = (args: string[], env?: Record<string, string>, input?: string) =>
  huddleOk(args, { home: dirB.path, url: hub.url, env, input });
const json = <T = any>(r: CliResult): T => JSON.parse(r.stdout) as T;

before(async () => {
  hub = await startTestHub();
  dirA = tempDir('huddle-machine-a-');
  dirB = tempDir('huddle-machine-b-');
  await okA(['create', ROOM, '--label', 'machine-a']);
  const { code } = json(await okA(['pair', ROOM, '--json']));
  await okB(['join', code, '--label', 'machine-b']);
});
after(async () => {
  await hub.stop();
  dirA.remove();
  dirB.remove();
});

const ids: Record<string, string> = {};

test('agent registers this shell as an agent, with its capabilities', async () => {
  const r = await okA(['agent', ROOM, 'alice', '--client', 'claude-code', '--tags', 'backend,db']);
  assert.equal(r.stdout, `Agent alice is online in ${ROOM}.\n`);
  const bob = json(await okB(['agent', ROOM, 'bob', '--client', 'codex', '--json']));
  assert.equal(bob.agent.name, 'bob');
  assert.equal(bob.agent.client, 'codex');
  assert.equal(bob.agent.status, 'online');
  assert.equal(bob.agent.cwd, process.cwd());
  await okB(['agent', ROOM, 'carol', '--model', 'gpt-5']);
  // A name held by another machine's member is refused.
  const taken = await A(['agent', ROOM, 'bob']);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /belongs to another member/);
});

test('who lists the agents, their presence and capabilities', async () => {
  const r = await okA(['who', ROOM]);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^AGENT\s+STATUS\s+CLIENT\s+MODEL\s+HOST\s+LAST SEEN\s+TAGS$/);
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3)),
    [
      ['alice', 'online', 'claude-code'],
      ['bob', 'online', 'codex'],
      ['carol', 'online', 'other'],
    ],
  );
  assert.match(lines[1]!, /backend,db$/);
  assert.match(lines[3]!, /gpt-5/);
  const { agents } = json(await okB(['who', ROOM, '--json']));
  assert.deepEqual(
    agents.map((a: { name: string }) => a.name),
    ['alice', 'bob', 'carol'],
  );
});

test('send to one agent, to a comma list, and to * (everyone but the sender)', async () => {
  const one = await okA(['send', ROOM, 'bob', 'hello', 'bob']);
  const m = /^Sent (msg_\S+) from alice to bob\.\n$/.exec(one.stdout);
  assert.ok(m, one.stdout);
  ids.hello = m[1]!;

  const both = json(
    await okA(['send', ROOM, 'bob,carol', 'to both', '--kind', 'finding', '--urgent', '--json']),
  );
  assert.deepEqual(both.message.to, ['bob', 'carol']);
  assert.deepEqual(both.message.recipients, ['bob', 'carol']);
  assert.equal(both.message.kind, 'finding');
  assert.equal(both.message.priority, 'urgent');
  ids.both = both.message.id;

  const all = await okA(['send', ROOM, '*', '-', '--thread', 'standup'], undefined, '# Everyone\n');
  const star = /^Sent (msg_\S+) from alice to bob, carol\.\n$/.exec(all.stdout);
  assert.ok(star, all.stdout);
  ids.star = star[1]!;
});

test('an unknown recipient exits 1 with a suggestion on stderr, and sends nothing', async () => {
  const r = await A(['send', ROOM, 'bbo', 'typo']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^huddle: No such agent in room "cli-msg": bbo \(did you mean bob\?\)/);
  const peek = json(await okB(['inbox', ROOM, '--as', 'bob', '--peek', '--json']));
  assert.ok(peek.messages.every((i: any) => i.message.body !== 'typo'));
});

test('with several agents on the machine, a command without --as or HUDDLE_AGENT says so', async () => {
  const r = await B(['inbox', ROOM]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /several agents in room "cli-msg" \(bob, carol\)/);
  assert.match(r.stderr, /--as NAME or HUDDLE_AGENT/);
  const send = await B(['send', ROOM, 'alice', 'who sends this?']);
  assert.equal(send.code, 1);
  assert.match(send.stderr, /several agents/);
});

test('inbox --peek leaves messages unread; inbox reads them', async () => {
  for (let i = 0; i < 2; i++) {
    const peek = await okB(['inbox', ROOM, '--as', 'bob', '--peek']);
    assert.equal((peek.stdout.match(/\[unread\]|, unread\]/g) ?? []).length, 3, peek.stdout);
    assert.match(peek.stdout, new RegExp(`${ids.hello} \\S+ chat from alice to bob \\[unread\\]`));
    assert.match(peek.stdout, /\[URGENT, unread\]/);
    assert.match(peek.stdout, /\n {2}hello bob\n/);
  }
  const before = json(await okA(['receipts', ROOM, ids.hello!, '--json']));
  assert.equal(before.receipts[0].read_at, null, 'peek recorded nothing');

  const read = await okB(['inbox', ROOM, '--as', 'bob']);
  assert.equal((read.stdout.match(/\[read\]|, read\]/g) ?? []).length, 3, read.stdout);
  const again = await okB(['inbox', ROOM, '--as', 'bob']);
  assert.equal(again.stdout, 'No unread messages for bob.\n');
  const open = json(await okB(['inbox', ROOM, '--as', 'bob', '--all', '--json']));
  assert.deepEqual(
    open.messages.map((i: any) => i.message.id),
    [ids.hello, ids.both, ids.star],
  );
  for (const i of open.messages) assert.ok(i.receipt.read_at);
});

test('HUDDLE_AGENT chooses the acting agent; --as wins over it', async () => {
  const carol = json(await okB(['inbox', ROOM, '--peek', '--json'], { HUDDLE_AGENT: 'carol' }));
  assert.deepEqual(
    carol.messages.map((i: any) => i.message.id),
    [ids.both, ids.star],
  );
  const bob = json(
    await okB(['inbox', ROOM, '--as', 'bob', '--peek', '--json'], { HUDDLE_AGENT: 'carol' }),
  );
  assert.deepEqual(bob.messages, [], "bob's messages are all read");
  // --as cannot choose an agent of another member.
  const forged = await A(['send', ROOM, 'carol', 'forged', '--as', 'bob']);
  assert.equal(forged.code, 1);
  assert.match(forged.stderr, /belongs to another member/);
});

test('reply answers the sender in its thread and acks the original', async () => {
  const r = await okB(['reply', ROOM, ids.hello!, 'hi', 'alice', '--as', 'bob']);
  const m = /^Replied (msg_\S+) to alice; (msg_\S+) is acked\.\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(m[2], ids.hello);
  ids.reply = m[1]!;
  const inbox = json(await okA(['inbox', ROOM, '--json']));
  assert.equal(inbox.messages.length, 1);
  const reply = inbox.messages[0].message;
  assert.equal(reply.id, ids.reply);
  assert.equal(reply.from, 'bob');
  assert.equal(reply.body, 'hi alice');
  assert.equal(reply.reply_to, ids.hello);
  assert.equal(reply.thread, ids.hello, 'a message without a thread is its own thread');
});

test('receipts shows each step of the ladder per recipient', async () => {
  const table = await okA(['receipts', ROOM, ids.hello!]);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^AGENT\s+STORED\s+DELIVERED\s+INJECTED\s+READ\s+ACKED$/);
  assert.equal(lines.length, 2);
  const cells = lines[1]!.split(/\s+/);
  assert.equal(cells[0], 'bob');
  for (const cell of cells.slice(1)) assert.match(cell, /^\d\d:\d\d:\d\d\.\d{3}$/);

  const { receipts } = json(await okA(['receipts', ROOM, ids.both!, '--json']));
  const carol = receipts.find((x: any) => x.agent === 'carol');
  const bob = receipts.find((x: any) => x.agent === 'bob');
  assert.equal(carol.delivered_at, null, 'carol only peeked');
  assert.equal(carol.read_at, null);
  assert.ok(bob.read_at);
  assert.equal(bob.acked_at, null);
});

test('ack --all closes every open message of the agent', async () => {
  const usage = await B(['ack', ROOM, '--as', 'bob']);
  assert.equal(usage.code, 2);
  const r = await okB(['ack', ROOM, '--all', '--as', 'bob']);
  assert.equal(r.stdout, 'Acked 2 messages for bob.\n');
  assert.equal(
    (await okB(['inbox', ROOM, '--as', 'bob', '--all'])).stdout,
    'No open messages for bob.\n',
  );
  // One id: carol acks the broadcast only.
  const one = await okB(['ack', ROOM, ids.star!], { HUDDLE_AGENT: 'carol' });
  assert.equal(one.stdout, 'Acked 1 message for carol.\n');
  const left = json(await okB(['inbox', ROOM, '--all', '--json'], { HUDDLE_AGENT: 'carol' }));
  assert.deepEqual(
    left.messages.map((i: any) => i.message.id),
    [ids.both],
  );
});

test('watch prints a message sent after it started, marks it delivered with --as, and stops on SIGTERM', async () => {
  const { cursor } = json(await okA(['read', ROOM, '--limit', '1', '--json']));
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'watch', ROOM, '--after', String(cursor - 1), '--as', 'carol'],
    {
      env: { ...process.env, HUDDLE_HOME: dirB.path, HUDDLE_URL: hub.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let onOutput: () => void = () => {};
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    onOutput();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const output = (pattern: RegExp, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`watch printed no ${what}:\n${stdout}\n${stderr}`)),
        5000,
      );
      onOutput = () => {
        if (pattern.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      };
      onOutput();
    });
  try {
    // The newest event already in the log shows the watch is following the room.
    await output(new RegExp(`^#${cursor} `, 'm'), `event #${cursor}`);
    assert.doesNotMatch(stdout, new RegExp(`^#${cursor - 1} `, 'm'), 'nothing before --after');
    const sent = json(await okA(['send', ROOM, 'carol', 'watch this', '--json']));
    await output(/watch this/, 'message');
    assert.match(
      stdout,
      new RegExp(
        `^#${sent.message.seq} .* message\\n {2}chat from alice to carol \\(${sent.message.id}\\):`,
        'm',
      ),
    );
    // Watching as carol, the message reached one of her live connections.
    await output(new RegExp(`carol: delivered ${sent.message.id}`), 'delivery receipt');
    const { receipts } = json(await okA(['receipts', ROOM, sent.message.id, '--json']));
    assert.ok(receipts[0].delivered_at);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
});

test('the same message again within the window is refused naming --key, which sends it on purpose', async () => {
  await okA(['send', ROOM, 'bob', 'said twice']);
  const again = await A(['send', ROOM, 'bob', 'said twice']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /less than 10 s ago, so it was not sent again/);
  assert.match(again.stderr, /add --key with a new value/);
  assert.doesNotMatch(again.stderr, /Idempotency-Key/);
  const asJson = json(await A(['send', ROOM, 'bob', 'said twice', '--json']));
  assert.equal(asJson.error.code, 'duplicate_message', 'the code stays for scripts');
  assert.match(asJson.error.message, /--key/);

  const sent = await okA(['send', ROOM, 'bob', 'said twice', '--key', 'again-1']);
  assert.match(sent.stdout, /^Sent msg_\S+ from alice to bob\.\n$/);
});
