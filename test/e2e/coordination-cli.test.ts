// Tasks, variables, leases, shares and activity through the built `huddle` command, on two
// machines: machine A runs agent alice (and created the room), machine B runs agent bob.

import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { huddle, huddleOk, type CliResult } from '../helpers/cli.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOM = 'coord-cli';

let hub: TestHub;
let dirA: ReturnType<typeof tempDir>;
let dirB: ReturnType<typeof tempDir>;
let files: ReturnType<typeof tempDir>;

/** Arguments as a list, or as one line split at spaces when no argument holds a space. */
type Args = string | string[];
const argv = (args: Args) => (typeof args === 'string' ? args.split(' ') : args);
const A = (args: Args, input?: string) =>
  huddle(argv(args), { home: dirA.path, url: hub.url, input });
const B = (args: Args, input?: string) =>
  huddle(argv(args), { home: dirB.path, url: hub.url, input });
const okA = (args: Args, input?: string) =>
  huddleOk(argv(args), { home: dirA.path, url: hub.url, input });
const okB = (args: Args, input?: string) =>
  huddleOk(argv(args), { home: dirB.path, url: hub.url, input });
const json = <T = any>(r: CliResult): T => JSON.parse(r.stdout) as T;

/** Machine A's CLI run from `cwd`. */
const inDir = (cwd: string, args: Args, input = ''): Promise<CliResult> =>
  huddle(argv(args), { home: dirA.path, url: hub.url, cwd, input });

/** A refusal: its exit code, nothing on stdout, and stderr matching every pattern. */
function refused(r: CliResult, code: 1 | 2, ...patterns: RegExp[]): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  for (const p of patterns) assert.match(r.stderr, p);
}

before(async () => {
  hub = await startTestHub();
  dirA = tempDir('huddle-machine-a-');
  dirB = tempDir('huddle-machine-b-');
  files = tempDir('huddle-files-');
  await okA(`create ${ROOM} --label machine-a`);
  const { code } = json(await okA(`pair ${ROOM} --json`));
  await okB(`join ${code} --label machine-b`);
  await okA(`agent ${ROOM} alice`);
  await okB(`agent ${ROOM} bob`);
});
after(async () => {
  await hub.stop();
  for (const dir of [dirA, dirB, files]) dir.remove();
});

/** Task ids by name, filled in as the tests add them. */
const t: Record<string, string> = {};
const added = (r: CliResult) => /^Added (T-[0-9a-z]+)/.exec(r.stdout)![1]!;

describe('task board', () => {
  test('task add with priorities and dependencies', async () => {
    // The words after the room are the title.
    t.schema = added(await okA(`task add ${ROOM} Design schema --priority high`));
    t.docs = added(await okA(`task add ${ROOM} Docs --priority low`));
    const fix = await okA(['task', 'add', ROOM, 'Fix auth', '--priority', 'critical']);
    t.fix = added(fix);
    assert.equal(fix.stdout, `Added ${t.fix}: Fix auth.\n`);
    const migration = await okB(
      `task add ${ROOM} Write migration --priority critical --depends-on ${t.schema}`,
    );
    t.migration = added(migration);
    assert.equal(
      migration.stdout,
      `Added ${t.migration} (waits on ${t.schema}): Write migration.\n`,
    );
    // --depends-on takes a comma list and may repeat; --description - reads standard input.
    const announce = json(
      await okA(
        `task add ${ROOM} Announce --json --description - --depends-on ${t.fix},${t.docs} --depends-on ${t.migration}`,
        'Post in #eng once shipped.\n',
      ),
    ).task;
    t.announce = announce.id;
    assert.deepEqual(announce.depends_on, [t.fix, t.docs, t.migration]);
    assert.deepEqual([announce.status, announce.priority], ['blocked', 'medium']);
    assert.equal(announce.description, 'Post in #eng once shipped.\n');
  });

  test('board --ready lists what can start, highest priority first', async () => {
    assert.equal(
      (await okB(`board ${ROOM} --ready`)).stdout,
      [
        `[${t.fix}] OPEN        [CRITICAL] Fix auth`,
        `[${t.schema}] OPEN        [HIGH] Design schema`,
        `[${t.docs}] OPEN        [LOW] Docs`,
        '',
      ].join('\n'),
    );
  });

  test('claim by one agent; a claim by another is refused naming the holder', async () => {
    const r = await okA(`task claim ${ROOM} ${t.schema}`);
    assert.equal(r.stdout, `Claimed ${t.schema}: Design schema.\n`);
    const again = await okA(`task claim ${ROOM} ${t.schema}`);
    assert.equal(again.stdout, `Already claimed ${t.schema}: Design schema.\n`);
    refused(await B(`task claim ${ROOM} ${t.schema}`), 1, /is claimed by alice/);
    const lines = (await okB(`board ${ROOM}`)).stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.slice(1, l.indexOf(']'))),
      [t.schema, t.fix, t.docs, t.migration, t.announce],
    );
    assert.equal(lines[0], `[${t.schema}] CLAIMED     [HIGH] Design schema (alice)`);
    assert.equal(
      lines[3],
      `[${t.migration}] BLOCKED     [CRITICAL] Write migration waits on ${t.schema}`,
    );
    assert.equal((await okA(`board ${ROOM} --mine`)).stdout, `${lines[0]}\n`);
  });

  test('done unblocks the dependent task and tells its creator', async () => {
    await okA(`task start ${ROOM} ${t.schema}`);
    const r = await okA(`task done ${ROOM} ${t.schema} --result -`, 'schema.sql merged');
    assert.equal(r.stdout, `Finished ${t.schema}: Design schema.\nUnblocked: ${t.migration}.\n`);
    const { messages } = json(await okB(`inbox ${ROOM} --json`));
    const told = messages.find((i: any) => i.message.kind === 'task')?.message;
    assert.equal(told?.from, 'alice', JSON.stringify(messages));
    assert.match(told.body, new RegExp(`${t.migration} "Write migration" is open`));
    const show = (await okB(`task show ${ROOM} ${t.schema}`)).stdout;
    assert.match(
      show,
      new RegExp(`^\\[${t.schema}\\] DONE {8}\\[HIGH\\] Design schema \\(alice\\)\n`),
    );
    assert.match(show, /\nResult:\nschema\.sql merged\n$/);
    assert.match((await okA(`board ${ROOM} --all`)).stdout, new RegExp(`\\[${t.schema}\\] DONE`));
  });

  test('handoff gives the task away and sends the target a handoff message', async () => {
    await okB(`task claim ${ROOM} ${t.migration}`);
    const r = await okB(`task handoff ${ROOM} ${t.migration} alice --note -`, 'Backfill left.');
    assert.equal(r.stdout, `Handed ${t.migration} to alice: Write migration.\n`);
    const { messages } = json(await okA(`inbox ${ROOM} --json`));
    const handoff = messages.find((i: any) => i.message.kind === 'handoff')?.message;
    assert.equal(handoff?.from, 'bob', JSON.stringify(messages));
    assert.match(handoff.body, /Backfill left\.$/);
    const { task } = json(await okA(`task show ${ROOM} ${t.migration} --json`));
    assert.deepEqual([task.assignee, task.status], ['alice', 'claimed']);
  });

  test('task update changes fields; only the holder may change a claimed task', async () => {
    const r = await okA(`task update ${ROOM} ${t.migration} --priority high --title Migrate`);
    assert.equal(r.stdout, `Updated ${t.migration}: Migrate.\n`);
    refused(await B(`task update ${ROOM} ${t.migration} --title Mine`), 1, /claimed by alice/);
  });
});

describe('admin overrides on one machine', () => {
  // Machine A created ONE, so alice and carol are both agents of one admin member, as two
  // coding agents on one laptop are: still neither may change what the other holds unasked.
  const ONE = 'coord-one';
  const asAlice = (args: string) => okA(`${args} --as alice`);
  const asCarol = (args: string) => A(`${args} --as carol`);
  let id: string;
  before(async () => {
    await okA(`create ${ONE} --label machine-a`);
    await okA(`agent ${ONE} alice`);
    await okA(`agent ${ONE} carol`);
    id = added(await asAlice(`task add ${ONE} Refactor auth`));
    await asAlice(`task start ${ONE} ${id}`);
  });

  test('without --force another agent of the admin member is refused naming the holder', async () => {
    for (const args of [
      `task done ${ONE} ${id}`,
      `task cancel ${ONE} ${id}`,
      `task unclaim ${ONE} ${id}`,
      `task update ${ONE} ${id} --priority low`,
      `task handoff ${ONE} ${id} carol`,
    ])
      refused(await asCarol(args), 1, /in progress by alice; only alice can change it/, /--force/);
    const { task } = json(await okA(`task show ${ONE} ${id} --json`));
    assert.deepEqual(
      [task.status, task.assignee, task.priority],
      ['in_progress', 'alice', 'medium'],
    );
  });

  test('with --force the change is made, marked as an override, and alice is told', async () => {
    const r = await asCarol(`task update ${ONE} ${id} --priority high --force`);
    assert.equal(r.stdout, `Updated ${id} (overriding alice): Refactor auth.\n`, r.stderr);
    const done = await asCarol(`task done ${ONE} ${id} --force`);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, `Finished ${id} (overriding alice): Refactor auth.\n`);
    const { messages } = json(await asAlice(`inbox ${ONE} --json`));
    const told = messages.map((i: any) => i.message).filter((m: any) => m.from === 'carol');
    assert.deepEqual(
      told.map((m: any) => /and carol ([^.]+)\./.exec(m.body)?.[1]),
      ['changed its priority', 'finished it'],
    );
    const lines = (await okA(`activity ${ONE} --type task.done`)).stdout;
    assert.match(
      lines,
      new RegExp(`carol finished ${id} Refactor auth \\(overriding alice\\)\\n$`),
    );
    const log = json(await okA(`activity ${ONE} --type task.updated,task.done --json`));
    assert.deepEqual(
      log.events.map((e: any) => e.body.override),
      [
        { by: 'carol', member: 'machine-a', holder: 'alice' },
        { by: 'carol', member: 'machine-a', holder: 'alice' },
      ],
    );
  });

  test("release: another agent's lease needs --force; a member without admin cannot force", async () => {
    const { lease } = json(await asAlice(`lease ${ONE} src/auth/** --json`));
    refused(
      await asCarol(`release ${ONE} ${lease.id}`),
      1,
      new RegExp(`${lease.id} belongs to alice`),
      /--force/,
    );
    const r = await asCarol(`release ${ONE} ${lease.id} --force`);
    assert.equal(r.stdout, `Released ${lease.id} (src/auth/**) (overriding alice).\n`, r.stderr);
    const { messages } = json(await asAlice(`inbox ${ONE} --json`));
    assert.ok(
      messages.some((i: any) => i.message.from === 'carol' && i.message.body.includes(lease.id)),
    );
    // bob's machine joined ROOM without the admin scope.
    refused(await B(`task done ${ROOM} ${t.fix} --force`), 1, /"admin" scope/);
  });
});

describe('task plan', () => {
  const plan = [
    { ref: 'api', title: 'API endpoint', priority: 'high' },
    { ref: 'ui', title: 'UI form', depends_on: ['api'], assignee: 'bob' },
  ];
  const count = async () => json(await okA(`board ${ROOM} --all --json`)).tasks.length;

  test('from a file, with refs resolved to the new ids', async () => {
    const file = join(files.path, 'plan.json');
    writeFileSync(file, JSON.stringify({ tasks: plan }));
    const r = await okA(['task', 'plan', ROOM, file]);
    const [, api, ui] = /\nRefs: api=(T-\w+), ui=(T-\w+)\.\n$/.exec(r.stdout) ?? [];
    assert.ok(api && ui, r.stdout);
    assert.equal(
      r.stdout,
      [
        'Planned 2 tasks:',
        `[${api}] OPEN        [HIGH] API endpoint`,
        `[${ui}] BLOCKED     [MEDIUM] UI form (bob) waits on ${api}`,
        `Refs: api=${api}, ui=${ui}.`,
        '',
      ].join('\n'),
    );
  });

  test('from standard input, as a bare array', async () => {
    const { tasks, refs } = json(await okA(`task plan ${ROOM} - --json`, JSON.stringify(plan)));
    assert.equal(tasks.length, 2);
    assert.deepEqual(tasks[1].depends_on, [refs.api]);
  });

  test('a cycle is refused and nothing is created; bad JSON names the file', async () => {
    const before = await count();
    const cycle = [
      { ref: 'a', title: 'A', depends_on: ['b'] },
      { ref: 'b', title: 'B', depends_on: ['a'] },
    ];
    refused(await A(`task plan ${ROOM} -`, JSON.stringify(cycle)), 1, /closes the cycle/);
    assert.equal(await count(), before);
    const bad = join(files.path, 'bad.json');
    writeFileSync(bad, '{"tasks": [');
    refused(
      await A(['task', 'plan', ROOM, bad]),
      1,
      new RegExp(`The plan in ${bad} is not valid JSON`),
    );
    refused(await A(`task plan ${ROOM} -`, '{"steps": []}'), 1, /must be an array of tasks/);
  });
});

describe('variables', () => {
  test('set, get, list and delete, with compare-and-set on --expect-version', async () => {
    assert.equal((await okA(`var set ${ROOM} model gpt-5`)).stdout, 'Set model = "gpt-5" (v1).\n');
    assert.equal((await okB(`var get ${ROOM} model`)).stdout, 'gpt-5\n');
    await okB(`var set ${ROOM} model claude --expect-version 1`);
    refused(
      await A(`var set ${ROOM} model o3 --expect-version 1`),
      1,
      /"model" is at version 2 \(set by bob/,
    );
    await okA(`var set ${ROOM} notes -`, 'line one\nline two\n');
    const list = (await okA(`var get ${ROOM} *`)).stdout.trimEnd().split('\n');
    assert.match(list[0]!, /^KEY\s+VERSION\s+SET BY\s+UPDATED\s+VALUE$/);
    assert.match(list[1]!, /^model\s+v2\s+bob\s+.*\sclaude$/);
    assert.match(list[2]!, /^notes\s+v1\s+alice\s+.*\sline one line two$/);
    refused(await A(`var del ${ROOM} model --expect-version 1`), 1, /at version 2/);
    const del = await okA(`var del ${ROOM} model --expect-version 2`);
    assert.equal(del.stdout, 'Deleted model (was v2).\n');
    refused(await B(`var get ${ROOM} model`), 1, /No variable "model"/);
  });
});

describe('leases', () => {
  const l: Record<string, any> = {};

  test('an exclusive lease refuses an overlapping one, naming holder, path and expiry', async () => {
    const auth = ['lease', ROOM, 'src/auth/**', '--reason', 'token refactor', '--ttl', '30m'];
    l.auth = json(await okA([...auth, '--json'])).lease;
    assert.equal(l.auth.ttl_seconds, 1800);
    refused(
      await B(`lease ${ROOM} src/auth/token.ts`),
      1,
      /src\/auth\/token\.ts overlaps src\/auth\/\*\*/,
      /by alice/,
      new RegExp(`until ${l.auth.expires_at}`),
    );
  });

  test('shared leases coexist; leases --check and --agent filter them', async () => {
    const r = await okA(`lease ${ROOM} docs/** --shared --ttl 2h`);
    l.shared = /^Leased docs\/\*\* \(shared\) for alice until \S+: (L-[0-9a-z]{6})\.\n$/.exec(
      r.stdout,
    )?.[1];
    assert.ok(l.shared, r.stdout);
    l.docs = json(await okB(`lease ${ROOM} docs/api.md --shared --json`)).lease;
    assert.equal(
      (await okB(`leases ${ROOM} --check src/auth/session.ts`)).stdout,
      `${l.auth.id} alice exclusive src/auth/** until ${l.auth.expires_at} — token refactor\n`,
    );
    assert.equal(
      (await okB(`leases ${ROOM} --check lib/x.ts`)).stdout,
      'No lease covers lib/x.ts.\n',
    );
    assert.equal(
      (await okA(`leases ${ROOM} --agent bob`)).stdout,
      `${l.docs.id} bob shared docs/api.md until ${l.docs.expires_at}\n`,
    );
  });

  test('release by path and by id', async () => {
    const byPath = await okA(`release ${ROOM} src/auth/**`);
    assert.equal(byPath.stdout, `Released ${l.auth.id} (src/auth/**).\n`);
    await okB(`lease ${ROOM} src/auth/token.ts`);
    // Machine A created the room, so it is an admin and could; bob's machine is not.
    refused(await B(`release ${ROOM} ${l.shared}`), 1, new RegExp(`${l.shared} belongs to alice`));
    const byId = await okB(`release ${ROOM} ${l.docs.id}`);
    assert.equal(byId.stdout, `Released ${l.docs.id} (docs/api.md).\n`);
    const { leases } = json(await okA(`leases ${ROOM} --json`));
    assert.deepEqual(leases.map((x: any) => [x.agent, x.paths]).sort(), [
      ['alice', ['docs/**']],
      ['bob', ['src/auth/token.ts']],
    ]);
  });
});

describe('share', () => {
  let repo: string;
  before(() => {
    repo = join(files.path, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(repo, 'src', 'expiry.ts'), 'one\ntwo\nthree\nfour\n');
    writeFileSync(join(files.path, 'outside.txt'), 'secret\n');
    symlinkSync(join(files.path, 'outside.txt'), join(repo, 'leak.txt'));
  });

  test('a line range, relative to the current directory, reaches its recipient', async () => {
    const share = `share ${ROOM} expiry.ts:2-3 --to bob --note -`;
    const r = await inDir(join(repo, 'src'), share, 'Look here.');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Shared src\/expiry\.ts:2-3 from alice to bob \(msg_\S+\)\.\n$/);
    const { messages } = json(await okB(`inbox ${ROOM} --json`));
    const shared = messages.find((i: any) => i.message.kind === 'context').message;
    const { path, start_line, end_line } = shared.refs[0];
    assert.deepEqual([path, start_line, end_line], ['src/expiry.ts', 2, 3]);
    assert.match(shared.body, /Look here\./);
    assert.match(shared.body, /\ntwo\nthree\n/);
    assert.doesNotMatch(shared.body, /one|four/);
  });

  test('a path or a symlink leading outside the repository is refused', async () => {
    refused(await inDir(repo, `share ${ROOM} ../outside.txt`), 1, /outside the repository root/);
    refused(await inDir(repo, `share ${ROOM} leak.txt`), 1, /is a symlink that leads to .*outside/);
  });
});

describe('activity', () => {
  test('--type (repeated or comma-separated) and --actor filter the lines', async () => {
    const r = await okA(`activity ${ROOM} --type task.* --actor bob --since 1h`);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => line.replace(/^\d\d:\d\d /, '')),
      [
        `bob added ${t.migration} Write migration [CRITICAL] (waits on ${t.schema})`,
        `bob claimed ${t.migration} Write migration`,
        `bob handed ${t.migration} Write migration to alice`,
      ],
    );
    const mixed = await okA(`activity ${ROOM} --type var.*,lease.acquired --type task.done --json`);
    assert.deepEqual([...new Set(json(mixed).events.map((e: any) => e.type))].sort(), [
      'lease.acquired',
      'task.done',
      'var.deleted',
      'var.set',
    ]);
    const page = await okA(`activity ${ROOM} --type var.set --limit 1`);
    assert.match(
      page.stdout,
      /^\d\d:\d\d alice set model = "gpt-5" \(v1\)\nMore events follow: add --after \d+\.\n$/,
    );
  });
});

describe('usage errors exit 2', () => {
  test('an unknown subcommand lists the valid ones; each subcommand checks its own usage', async () => {
    refused(
      await A(`task frobnicate ${ROOM}`),
      2,
      /Unknown subcommand "task frobnicate": use one of add, claim, unclaim, start, done, cancel, handoff, update, show, plan\./,
    );
    refused(await A(`task claim ${ROOM}`), 2, /Usage: huddle task claim\|start <room> <id>/);
    refused(
      await A(`task claim ${ROOM} ${t.fix} --force`),
      2,
      /--force is not an option of "huddle task claim"/,
    );
    refused(
      await A(`task claim ${ROOM} ${t.fix} --result x`),
      2,
      /--result is not an option of "huddle task claim"/,
    );
    refused(await A(`var put ${ROOM} k`), 2, /use one of set, get, del/);
  });

  test('bad --ttl, mixed release targets, --ready with --all', async () => {
    refused(await A(`lease ${ROOM} a.ts --ttl 5x`), 2, /--ttl must be a duration such as 90s, 30m/);
    refused(await A(`release ${ROOM} L-abcdef a.ts`), 2, /lease ids or leased paths, not both/);
    refused(await A(`board ${ROOM} --ready --all`), 2, /--ready/);
  });

  test('--help lists every coordination command', async () => {
    const help = (await okA('--help')).stdout;
    for (const c of [
      'task add',
      'task plan',
      'board',
      'var set',
      'lease',
      'release',
      'leases',
      'share',
      'activity',
    ])
      assert.match(help, new RegExp(`\\n {2}huddle ${c} <room>`));
  });
});
