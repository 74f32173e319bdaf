// Hooks: what `huddle hook pre-tool-use` adds to a tool call, start to exit (with no message
// waiting, with one, and for an Edit that the lease guard checks), and how soon a message sent to
// an idle session's agent wakes it through the waiter (send to the waiter's exit with code 2).

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHubClient } from '../src/client/hub-client.js';
import { openCredentials } from '../src/cli/credentials.js';
import { waiterLockPath } from '../src/hooks/waiter-lock.js';
import { CLI_PATH, cleanEnv, startHubProcess, tempHome } from './hub-process.js';
import { processLatencyRows, runNode, startRatioRow } from './node-process.js';
import { ms, summarize } from './stats.js';
import type { BenchResult, Row } from './table.js';

const ROOM = 'bench-hooks';
const AGENT = 'claude-bench';

export interface HooksOptions {
  /** Timed runs of each hook (one more, untimed, runs first). */
  runs: number;
  /** Messages sent to an idle agent whose waiter is armed. */
  wakes: number;
}

const payload = (tool: string, toolInput: Record<string, unknown>, project: string) =>
  JSON.stringify({
    session_id: 'bench-session',
    transcript_path: join(project, 'transcript.jsonl'),
    cwd: project,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: tool,
    tool_input: toolInput,
    tool_use_id: 'toolu_bench',
  });

export async function hooks(options: HooksOptions): Promise<BenchResult> {
  const hub = await startHubProcess();
  const home = tempHome('huddle-bench-hooks-');
  const project = join(home.path, 'project');
  mkdirSync(join(project, '.git'), { recursive: true });
  try {
    const env = cleanEnv({ HUDDLE_HOME: home.path, HUDDLE_URL: hub.url });
    delete env.NODE_EXTRA_CA_CERTS;
    env.CLAUDE_PROJECT_DIR = project;
    const created = await runNode([CLI_PATH, 'create', ROOM], env, '');
    if (created.code !== 0) throw new Error(`huddle create failed: ${created.stderr}`);
    const token = openCredentials(home.path).get(hub.url, ROOM)!.token;
    const client = createHubClient({ url: hub.url, token });
    await client.registerAgent(ROOM, { name: AGENT, client: 'claude-code' });
    await client.registerAgent(ROOM, { name: 'bob' });
    await client.lease(ROOM, 'bob', { paths: ['docs/**'], ttl_seconds: 3600 });
    const send = (i: number) =>
      client.send(ROOM, 'bob', { to: AGENT, body: `Run ${i}: the auth tests pass on main now.` });

    const hook = [CLI_PATH, 'hook', 'pre-tool-use', '--room', ROOM, '--as', AGENT];
    const bash = payload('Bash', { command: 'npm test' }, project);
    const edit = payload(
      'Edit',
      { file_path: join(project, 'src/auth.ts'), old_string: 'a', new_string: 'b' },
      project,
    );
    const cases = [
      { path: 'PreToolUse hook, no unread message', input: bash, before: null, target: true },
      {
        path: 'PreToolUse hook, one unread message injected',
        input: bash,
        before: send,
        target: true,
      },
      {
        path: 'PreToolUse hook, Edit checked by the lease guard',
        input: edit,
        before: null,
        target: true,
      },
      { path: 'node -e "" (node itself, for reference)', input: '', before: null, target: false },
    ];
    const samples = cases.map(() => [] as number[]);
    for (let i = -1; i < options.runs; i++) {
      for (const [k, c] of cases.entries()) {
        if (c.before) await c.before(i);
        const r = await runNode(c.target ? hook : ['-e', ''], env, c.input);
        if (r.code !== 0) throw new Error(`hook exited ${r.code}: ${r.stderr}`);
        if (c.before && !r.stdout.includes('additionalContext'))
          throw new Error(`the hook did not inject the message: ${r.stdout} ${r.stderr}`);
        if (i >= 0) samples[k]!.push(r.elapsed);
      }
    }

    // The waiter: armed (its lock taken, its long-poll open), then one message.
    const wakes: number[] = [];
    const lock = waiterLockPath(join(home.path, 'run'), 'bench-wait');
    for (let i = 0; i < options.wakes; i++) {
      const waiter = runNode(
        [CLI_PATH, 'hook', 'wait', '--room', ROOM, '--as', AGENT],
        env,
        JSON.stringify({ session_id: 'bench-wait', hook_event_name: 'Stop' }),
      );
      while (!existsSync(lock)) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 200)); // its long-poll reaches the hub
      const t0 = performance.now();
      await send(1000 + i);
      const r = await waiter;
      if (r.code !== 2) throw new Error(`the waiter exited ${r.code}: ${r.stderr}`);
      wakes.push(r.end - t0);
    }

    const floor = samples[cases.findIndex((c) => !c.target)]!;
    const rows: Row[] = cases.flatMap((c, k) => [
      ...processLatencyRows(c.path, samples[k]!, { target: c.target }),
      ...(c.target ? [startRatioRow(c.path, samples[k]!, floor)] : []),
    ]);
    const w = summarize(wakes);
    const wake = 'send → injected into an idle session (waiter exits 2)';
    rows.push(
      { path: wake, metric: 'p50', value: ms(w.p50) },
      { path: wake, metric: 'p95', value: ms(w.p95), target: { text: '< 1 s', met: w.p95 < 1000 } },
    );
    return {
      rows,
      notes: [
        `Hooks: ${options.runs} timed runs of each hook process, start to exit, taking turns; ${options.wakes} wakes, from the send call to the waiter's exit (sync=full).`,
      ],
    };
  } finally {
    home.remove();
    await hub.stop();
  }
}
