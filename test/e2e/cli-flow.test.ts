// The whole flow through the built `huddle` command: two machines (two HUDDLE_HOMEs), one real hub.

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOM_NAME_PATTERN } from '../../src/core/rooms/names.js';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'flow';
const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

let hub: TestHub;
let dirA: ReturnType<typeof tempDir>;
let dirB: ReturnType<typeof tempDir>;
let dirC: ReturnType<typeof tempDir>;

/** Machine A (the room's creator) and machine B (paired with a code). */
const A = (args: string[], input?: string) =>
  huddle(args, { home: dirA.path, url: hub.url, input });
const B = (args: string[], input?: string) =>
  huddle(args, { home: dirB.path, url: hub.url, input });
const okA = (args: string[], input?: string) =>
  huddleOk(args, { home: dirA.path, url: hub.url, input });
const okB = (args: string[], input?: string) =>
  huddleOk(args, { home: dirB.path, url: hub.url, input });
const json = <T = any>(r: CliResult): T => JSON.parse(r.stdout) as T;

interface CredentialsFile {
  hubs: Record<string, { rooms: Record<string, { token: string; member_id: string }> }>;
}
const credentials = (home: string): CredentialsFile =>
  JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as CredentialsFile;
const tokenOf = (home: string, room: string) => credentials(home).hubs[hub.url]!.rooms[room]!.token;
const modeOf = (home: string) => statSync(join(home, 'config.json')).mode & 0o777;

/** Every event of a room, paged through `huddle history --json` on machine A. */
async function wholeHistory(limit: number) {
  const events: Array<{ seq: number; id: string; type: string; body: any }> = [];
  const pages: Array<{ has_more: boolean; next_after: number; count: number }> = [];
  let after = 0;
  for (;;) {
    const page = json(
      await okA(['history', ROOM, '--after', String(after), '--limit', String(limit), '--json']),
    );
    events.push(...page.events);
    pages.push({ has_more: page.has_more, next_after: page.next_after, count: page.events.length });
    if (!page.has_more) return { events, pages };
    assert.equal(page.next_after, page.events.at(-1).seq);
    after = page.next_after;
  }
}

function assertDense(seqs: number[]) {
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
  );
}

before(async () => {
  hub = await startTestHub();
  dirA = tempDir('huddle-machine-a-');
  dirB = tempDir('huddle-machine-b-');
  dirC = tempDir('huddle-machine-c-');
});
after(async () => {
  await hub.stop();
  dirA.remove();
  dirB.remove();
  dirC.remove();
});

let code: string;
let cursor: number;
let memberB: string;

test('create prints only the room name when not on a terminal, and keeps a 0600 credential', async () => {
  const r = await okA(['create', ROOM, '--label', 'machine-a']);
  assert.equal(r.stdout, `${ROOM}\n`);
  assert.equal(r.stderr, '');
  assert.equal(modeOf(dirA.path), 0o600);
  assert.match(tokenOf(dirA.path, ROOM), /^hd_[A-Za-z0-9_-]{43}$/);
  // The token never reaches the terminal.
  assert.ok(!r.stdout.includes(tokenOf(dirA.path, ROOM)));
});

test('create without a name generates one matching the room-name pattern', async () => {
  const r = await okA(['create', '--label', 'machine-a']);
  const name = r.stdout.trim();
  assert.equal(r.stdout, `${name}\n`);
  assert.match(name, /^[a-z]+-[a-z]+-[0-9a-z]{4}$/);
  assert.match(name, ROOM_NAME_PATTERN);
  const again = json(await okA(['create', '--label', 'machine-a', '--json']));
  assert.match(again.room.name, ROOM_NAME_PATTERN);
  assert.notEqual(again.room.name, name);
  assert.deepEqual(again.member.scopes, ['admin']);
  assert.equal(again.token, undefined, '--json does not print the token either');
});

test('create of a taken name fails with exit 1 and says so', async () => {
  const r = await A(['create', ROOM]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already exists/);
});

test('pair --json gives a code, its scopes and its expiry', async () => {
  const r = json(await okA(['pair', ROOM, '--json']));
  assert.match(r.code, CODE_PATTERN);
  assert.equal(r.room, ROOM);
  assert.deepEqual(r.scopes, ['read', 'write', 'checkpoint']);
  const ttl = Date.parse(r.expires_at) - Date.now();
  assert.ok(ttl > 9 * 60_000 && ttl <= 10 * 60_000, `expires in ${ttl} ms`);
  code = r.code;
});

test('pair in text says how to join from the other machine', async () => {
  const r = await okA(['pair', ROOM]);
  const printed = /Pair code for flow: (\S+)/.exec(r.stdout)?.[1];
  assert.match(printed ?? '', CODE_PATTERN);
  assert.ok(r.stdout.includes(`huddle join ${printed} --hub ${hub.url}`), r.stdout);
});

test('join on machine B stores a new 0600 credential and prints the room', async () => {
  const r = await okB(['join', code.toLowerCase(), '--label', 'machine-b']);
  assert.equal(r.stdout, `${ROOM}\n`);
  assert.equal(modeOf(dirB.path), 0o600);
  assert.notEqual(tokenOf(dirB.path, ROOM), tokenOf(dirA.path, ROOM));
  memberB = credentials(dirB.path).hubs[hub.url]!.rooms[ROOM]!.member_id;
  const rooms = json(await okB(['rooms', '--json']));
  assert.deepEqual(
    rooms.rooms.map((x: { room: string; label: string }) => [x.room, x.label]),
    [[ROOM, 'machine-b']],
  );
});

test('a fresh HUDDLE_HOME is made 0700 and its credentials file 0600', async () => {
  const home = join(dirC.path, 'fresh', 'home');
  await huddleOk(['create', 'fresh-home', '--label', 'machine-c'], { home, url: hub.url });
  assert.equal(statSync(home).mode & 0o777, 0o700);
  assert.equal(modeOf(home), 0o600);
});

test('the same code on a third machine fails with exit 1: it was used', async () => {
  const r = await huddle(['join', code, '--label', 'machine-c'], { home: dirC.path, url: hub.url });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already used/);
  const rooms = json(await huddle(['rooms', '--json'], { home: dirC.path, url: hub.url }));
  assert.deepEqual(rooms.rooms, []);
});

test('write on B, from arguments and from standard input', async () => {
  const first = await okB(['write', ROOM, 'first', 'note', 'from', 'B']);
  assert.equal(first.stdout, `Wrote note #5 to ${ROOM}.\n`);
  const text = '# From stdin\n\n- line one\n- line two\n';
  const second = json(await okB(['write', ROOM, '-', '--json'], text));
  assert.equal(second.seq, 6);
  assert.equal(second.type, 'note');
  assert.equal(second.body.text, text, 'standard input is stored byte for byte');
  assert.equal(second.actor.label, 'machine-b');
});

test('read on A with --limit shows the newest events and the cursor', async () => {
  const r = json(await okA(['read', ROOM, '--limit', '2', '--json']));
  assert.deepEqual(
    r.events.map((e: { seq: number }) => e.seq),
    [5, 6],
  );
  assert.equal(r.cursor, 6);
  assert.equal(r.room.last_seq, 6);
  assert.equal(r.events[0].body.text, 'first note from B');
  cursor = r.cursor;
  const text = (await okA(['read', ROOM, '--limit', '2'])).stdout;
  assert.match(text, /# flow \(cursor 6\)/);
  assert.match(text, /first note from B/);
  assert.match(text, /huddle history flow --after 6/);
  assert.doesNotMatch(text, /room\.created/);
});

test('read says there are no newer events when it shows the newest', async () => {
  const text = (await okA(['read', ROOM, '--limit', '2'])).stdout;
  assert.doesNotMatch(text, /Newer events/);
  assert.match(text, /\nNo newer events; for later ones: huddle history flow --after 6\n$/);
});

test('history after the cursor gives exactly what was written since', async () => {
  await okB(['write', ROOM, 'third note']);
  const page = json(await okA(['history', ROOM, '--after', String(cursor), '--json']));
  assert.deepEqual(
    page.events.map((e: { seq: number; body: { text: string } }) => [e.seq, e.body.text]),
    [[7, 'third note']],
  );
  assert.equal(page.has_more, false);
  assert.equal(page.next_after, 7);
  const empty = json(await okA(['history', ROOM, '--after', '7', '--json']));
  assert.deepEqual(empty, { events: [], next_after: 7, has_more: false });
});

test('history pages with --after and --limit: has_more and next_after', async () => {
  const { events, pages } = await wholeHistory(2);
  assertDense(events.map((e) => e.seq));
  assert.equal(events.length, 7);
  assert.deepEqual(pages, [
    { has_more: true, next_after: 2, count: 2 },
    { has_more: true, next_after: 4, count: 2 },
    { has_more: true, next_after: 6, count: 2 },
    { has_more: false, next_after: 7, count: 1 },
  ]);
  const text = (await okA(['history', ROOM, '--limit', '2'])).stdout;
  assert.match(text, /More: huddle history flow --after 2/);
  const end = (await okA(['history', ROOM, '--after', '5', '--limit', '2'])).stdout;
  assert.match(end, /End of the log \(cursor 7\)/);
});

test('checkpoint without a version, then with a matching one, then a stale one', async () => {
  const first = await okA(['checkpoint', ROOM, 'plan', 'v1']);
  assert.match(first.stdout, /version 1\b/);
  const second = json(
    await okB(['checkpoint', ROOM, '-', '--expect-version', '1', '--json'], '## plan v2\n'),
  );
  assert.equal(second.checkpoint.version, 2);
  assert.equal(second.checkpoint.text, '## plan v2\n');
  assert.equal(second.checkpoint.updated_by.label, 'machine-b');

  const stale = await A(['checkpoint', ROOM, 'plan', 'v2', 'from', 'A', '--expect-version', '1']);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /version 2\b/);
  assert.match(stale.stderr, /machine-b/);
  assert.equal(stale.stdout, '');

  const staleJson = await A(['checkpoint', ROOM, 'x', '--expect-version', '0', '--json']);
  assert.equal(staleJson.code, 1);
  const err = json(staleJson).error;
  assert.equal(err.code, 'checkpoint_conflict');
  assert.equal(err.status, 409);
  assert.equal(err.details.current_version, 2);

  const read = json(await okA(['read', ROOM, '--json']));
  assert.equal(read.checkpoint.version, 2);
  assert.equal(read.checkpoint.text, '## plan v2\n');
  assert.equal(read.cursor, 9, 'the refused writes appended nothing');
});

test('devices lists both machines', async () => {
  const r = json(await okA(['devices', ROOM, '--json']));
  assert.deepEqual(
    r.members.map((m: { label: string; scopes: string[]; revoked_at: null }) => [
      m.label,
      m.scopes,
      m.revoked_at,
    ]),
    [
      ['machine-a', ['admin'], null],
      ['machine-b', ['read', 'write', 'checkpoint'], null],
    ],
  );
  const text = (await okB(['devices', ROOM])).stdout;
  assert.match(text, /machine-b\s+read,write,checkpoint\s+\S+ \S+\s+active \(this machine\)/);
  assert.match(text, /machine-a\s+admin\s+\S+ \S+\s+active\n/);
});

test('whoami names the member, its scopes and the hub', async () => {
  const r = json(await okB(['whoami', ROOM, '--json']));
  assert.equal(r.member.id, memberB);
  assert.equal(r.member.label, 'machine-b');
  assert.equal(r.room.name, ROOM);
  assert.equal(r.hub, hub.url);
  // A global flag before the command beats HUDDLE_URL.
  const flagged = await huddleOk(['--hub', hub.url, 'whoami', ROOM, '--json'], {
    home: dirB.path,
    url: 'http://127.0.0.1:9',
  });
  assert.equal(json(flagged).member.id, memberB);
  const text = (await okB(['whoami', ROOM])).stdout;
  assert.equal(
    text,
    `machine-b (${memberB}) in room ${ROOM} on ${hub.url}; scopes: read, write, checkpoint\n`,
  );
});

test('rotate on B: the old token gets 401 at once, B keeps working with the new one', async () => {
  const old = tokenOf(dirB.path, ROOM);
  const before = await fetch(`${hub.url}/v1/rooms/${ROOM}/me`, {
    headers: { authorization: `Bearer ${old}` },
  });
  assert.equal(before.status, 200);
  const r = await okB(['rotate', ROOM]);
  assert.match(r.stdout, /old token no longer works/);
  const fresh = tokenOf(dirB.path, ROOM);
  assert.notEqual(fresh, old);
  assert.equal(modeOf(dirB.path), 0o600);
  const res = await fetch(`${hub.url}/v1/rooms/${ROOM}/me`, {
    headers: { authorization: `Bearer ${old}` },
  });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as any).error.code, 'unknown_token');
  const me = json(await okB(['whoami', ROOM, '--json']));
  assert.equal(me.member.id, memberB, 'the same member, a new token');
  await okB(['write', ROOM, 'after rotation']);
});

test('revoke B by its label from A: B’s commands now fail with exit 1', async () => {
  const r = await okA(['revoke', ROOM, 'machine-b']);
  assert.match(r.stdout, new RegExp(`Revoked machine-b \\(${memberB}\\)`));
  const read = await B(['read', ROOM]);
  assert.equal(read.code, 1);
  assert.match(read.stderr, /revoked|not valid/);
  const write = await B(['write', ROOM, 'after revocation']);
  assert.equal(write.code, 1);
  const asJson = await B(['whoami', ROOM, '--json']);
  assert.equal(asJson.code, 1);
  assert.equal(json(asJson).error.code, 'unknown_token');
  assert.equal(json(asJson).error.status, 401);
  const devices = json(await okA(['devices', ROOM, '--json']));
  const b = devices.members.find((m: { id: string }) => m.id === memberB);
  assert.ok(b.revoked_at, 'B is marked revoked');
  // Revoking an unknown label says who is there.
  const unknown = await A(['revoke', ROOM, 'machine-z']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No member "machine-z".*machine-a/);
});

test('export md holds the checkpoint and the notes; jsonl is every event, dense and in order', async () => {
  const md = (await okA(['export', ROOM, '--format', 'md'])).stdout;
  assert.match(md, /^# Room flow\n/);
  assert.match(md, /## Checkpoint \(version 2, by machine-b/);
  assert.ok(md.includes('## plan v2'));
  for (const note of ['first note from B', 'third note', 'after rotation', 'line two']) {
    assert.ok(md.includes(note), `the Markdown export holds "${note}"`);
  }
  assert.ok(!md.includes('after revocation'));

  const jsonl = (await okA(['export', ROOM, '--format', 'jsonl'])).stdout;
  assert.ok(jsonl.endsWith('\n'));
  const lines = jsonl.slice(0, -1).split('\n');
  const events = lines.map((line) => JSON.parse(line) as { seq: number; id: string; type: string });
  assertDense(events.map((e) => e.seq));
  const history = await wholeHistory(100);
  assert.equal(events.length, history.events.length);
  assert.deepEqual(
    events.map((e) => e.id),
    history.events.map((e) => e.id),
  );
  assert.deepEqual(
    events.map((e) => e.type),
    [
      'room.created',
      'code.created',
      'code.created',
      'member.joined',
      'note',
      'note',
      'note',
      'checkpoint',
      'checkpoint',
      'member.token_rotated',
      'note',
      'member.revoked',
    ],
  );
  // --json alone exports JSON Lines.
  assert.equal((await okA(['export', ROOM, '--json'])).stdout, jsonl);
});

test('rooms lists what this machine holds', async () => {
  const r = json(await okA(['rooms', '--json']));
  const names = r.rooms.map((x: { room: string }) => x.room);
  assert.equal(names.length, 3);
  assert.ok(names.includes(ROOM));
  assert.ok(r.rooms.every((x: { hub: string }) => x.hub === hub.url));
  const text = (await okA(['rooms'])).stdout;
  assert.match(text, /^ROOM\s+HUB\s+LABEL\s+SCOPES\n/);
  assert.match(text, new RegExp(`flow\\s+${hub.url.replace(/[.]/g, '\\.')}\\s+machine-a\\s+admin`));
});

test('delete without --yes off a terminal is a usage error; with --yes it deletes', async () => {
  const refused = await A(['delete', ROOM]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--yes/);
  await okA(['read', ROOM]);

  const tokenA = tokenOf(dirA.path, ROOM);
  const r = await okA(['delete', ROOM, '--yes']);
  assert.equal(r.stdout, `Deleted room ${ROOM}.\n`);
  const read = await A(['read', ROOM]);
  assert.equal(read.code, 1);
  assert.match(read.stderr, /no token for room "flow"/);
  const res = await fetch(`${hub.url}/v1/rooms/${ROOM}`, {
    headers: { authorization: `Bearer ${tokenA}` },
  });
  assert.equal(res.status, 401, 'the admin token went with the room');
  const rooms = json(await okA(['rooms', '--json']));
  assert.ok(!rooms.rooms.some((x: { room: string }) => x.room === ROOM));
  assert.equal(rooms.rooms.length, 2);
  // The name is free again.
  await okA(['create', ROOM, '--label', 'machine-a']);
});

test('usage errors exit 2 with the usage on stderr', async () => {
  const [unknown, missing, flag, badInt, none] = await Promise.all([
    A(['frobnicate', ROOM]),
    A(['write', ROOM]),
    A(['read', ROOM, '--bogus']),
    A(['read', ROOM, '--limit', 'many']),
    A([]),
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command "frobnicate"/);
  assert.match(unknown.stderr, /huddle --help/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Usage: huddle write <room> <markdown \| ->/);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--bogus/);
  assert.match(flag.stderr, /Usage: huddle read <room> \[--limit N\]/);
  assert.equal(badInt.code, 2);
  assert.match(badInt.stderr, /--limit/);
  assert.equal(none.code, 2);
  assert.match(none.stdout + none.stderr, /Commands:/);
  for (const r of [unknown, missing, flag, badInt]) assert.equal(r.stdout, '');
});

test('a usage error with --json prints a parseable error too', async () => {
  const r = await A(['write', ROOM, '--json']);
  assert.equal(r.code, 2);
  assert.equal(json(r).error.code, 'usage');
});

test('config print shows the effective settings with the create secret masked', async () => {
  const secret = 'sup3r-s3cret-value';
  const env = { HUDDLE_CREATE_SECRET: secret };
  const text = await huddleOk(['config', 'print'], { home: dirA.path, url: hub.url, env });
  assert.ok(!text.stdout.includes(secret), 'the secret is not printed');
  assert.match(text.stdout, /^create_secret = \*{8} {2}\(env\)$/m);
  assert.match(
    text.stdout,
    new RegExp(`^url = ${hub.url.replace(/[.]/g, '\\.')} {2}\\(env\\)$`, 'm'),
  );
  const asJson = await huddleOk(['config', 'print', '--json'], {
    home: dirA.path,
    url: hub.url,
    env,
  });
  assert.ok(!asJson.stdout.includes(secret));
  const settings = json(asJson);
  assert.deepEqual(settings.create_secret, { value: '********', source: 'env' });
  assert.equal(settings.home.value, dirA.path);
  const unset = json(await okA(['config', 'print', '--json']));
  assert.deepEqual(unset.create_secret, { value: null, source: 'default' });
});

test('a hub that is not there is exit 1 with advice', async () => {
  const r = await huddle(['write', ROOM, 'x'], { home: dirA.path, url: 'http://127.0.0.1:9' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no token for room|Cannot reach/);
  const created = await huddle(['create', 'nowhere'], {
    home: dirA.path,
    url: 'http://127.0.0.1:9',
  });
  assert.equal(created.code, 1);
  assert.match(created.stderr, /Cannot reach the hub/);
});
