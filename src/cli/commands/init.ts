// huddle init <client>: writes huddle into the client's MCP configuration, merged with what is
// there, idempotent, with a backup of the file it changes. It shows only huddle's part of each
// file (a user's settings may hold ids and keys), and says what the person must do next.

import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { Run } from '../registry.js';
import { CliError, usageError } from '../cli-error.js';
import { credentialFor } from '../credentials.js';
import { defaultLabel } from '../device-label.js';
import { stringFlag } from '../flags.js';
import {
  AGENT_CLIENT,
  INIT_CLIENTS,
  INIT_TARGETS,
  type InitClient,
  type ServerSpec,
} from '../init-targets.js';
import { hasHooks, hooksPart, hooksPath, mergeHooks } from '../init-hooks.js';
import { instructionsBlock, instructionsPath, mergeInstructions } from '../init-instructions.js';
import { nextSteps } from '../init-next-steps.js';
import { credentialForRoom, ensureLocalHub } from '../local-hub.js';
import { defaultAgent, defaultRoom, repoRoot } from '../repo-identity.js';

export const run: Run = async (ctx, [clientArg], flags) => {
  if (!(INIT_CLIENTS as readonly string[]).includes(clientArg!)) {
    throw usageError(`Unknown client "${clientArg}": choose one of ${INIT_CLIENTS.join(', ')}.`);
  }
  const client = clientArg as InitClient;
  const scope = flags.user === true ? 'user' : 'project';
  const project = repoRoot(process.cwd());
  let room = stringFlag(flags, 'room');
  const code = stringFlag(flags, 'code');
  const remote = ctx.loaded.sources.url !== 'default';

  if (code) {
    const joined = await ctx.anonymous().join({ code, label: defaultLabel() });
    ctx.credentials.put(ctx.config.url, joined.room.name, credentialFor(joined));
    room ??= joined.room.name;
  } else if (remote) {
    if (!room)
      throw usageError('With --hub, say which room: --room ROOM (or --code CODE to join one).');
    ctx.forRoom(room); // fails with advice when this machine holds no token for it
  }

  const args = [
    'mcp',
    '--client',
    AGENT_CLIENT[client],
    ...(room ? ['--room', room] : []),
    ...(remote ? ['--hub', ctx.config.url] : []),
    ...(flags.channels === true && client === 'claude' ? ['--channels'] : []),
  ];
  const http = flags.http === true;
  let agentName: string | undefined;
  let server: ServerSpec = { kind: 'stdio', command: 'huddle', args };
  if (http) {
    // The client calls the hub itself; its token comes from HUDDLE_TOKEN, never from the file.
    const httpRoom = room ?? defaultRoom(project);
    if (!remote) await ensureLocalHub(ctx);
    await credentialForRoom(ctx, httpRoom);
    agentName = stringFlag(flags, 'as') ?? defaultAgent(AGENT_CLIENT[client], process.cwd());
    server = {
      kind: 'http',
      url: `${ctx.config.url}/mcp?agent=${encodeURIComponent(agentName)}`,
      tokenEnv: 'HUDDLE_TOKEN',
    };
    room = httpRoom;
  }
  const home = ctx.io.env.HOME || homedir();
  const target = INIT_TARGETS[client];
  const path = target.path(scope, project, home);
  // Every file init changes, in order, with huddle's part of it; Gemini CLI keeps servers and
  // hooks in the same file.
  const edits: Array<{
    path: string;
    what: string;
    merge: (old: string | undefined) => string;
    part: string;
  }> = [
    {
      path,
      what: 'MCP server',
      merge: (old) => target.merge(old, server, path),
      part: target.part(server),
    },
  ];
  const hooked = hasHooks(client) && flags['no-hooks'] !== true;
  if (hooked) {
    const hookArgs = [
      ...(room ? ['--room', room] : []),
      ...(remote ? ['--hub', ctx.config.url] : []),
      ...(http ? ['--as', agentName!] : []),
    ];
    const hooks = hooksPath(client, scope, project, home);
    edits.push({
      path: hooks,
      what: 'hooks',
      merge: (old) => mergeHooks(client, old, hooks, hookArgs),
      part: hooksPart(client, hookArgs),
    });
    const notes = instructionsPath(client, scope, project, home);
    if (notes)
      edits.push({
        path: notes,
        what: 'instructions',
        merge: (old) => mergeInstructions(client, old),
        part: `${instructionsBlock(client)}\n`,
      });
  }
  const dryRun = flags['dry-run'] === true;
  const pending = new Map<string, string | undefined>();
  const files = edits.map((edit) => {
    const earlier = pending.has(edit.path);
    const old = earlier ? pending.get(edit.path) : readText(edit.path);
    const content = edit.merge(old);
    pending.set(edit.path, content);
    const creates = !earlier && old === undefined;
    return { path: edit.path, what: edit.what, changed: content !== old, creates, part: edit.part };
  });
  const written = new Map<string, string | null>(); // path -> backup
  if (!dryRun) {
    for (const [file, content] of pending) {
      const old = readText(file);
      if (content === old) continue;
      mkdirSync(dirname(file), { recursive: true });
      const backup = old !== undefined ? `${file}.bak` : null;
      if (backup) copyFileSync(file, backup);
      const tmp = `${file}.${process.pid}.tmp`;
      // The new file keeps the old one's permissions (settings files may hold keys).
      const mode = old !== undefined ? statSync(file).mode & 0o777 : 0o644;
      writeFileSync(tmp, content!, { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, file);
      written.set(file, backup);
    }
  }
  const next = dryRun
    ? []
    : nextSteps(client, {
        scope,
        project,
        hooks: hooked,
        channels: flags.channels === true && client === 'claude',
      });
  ctx.print(
    {
      client,
      scope,
      path,
      changed: files.some((f) => f.changed),
      dry_run: dryRun,
      backup: written.get(path) ?? null,
      files: files.map(({ creates: _, ...f }) => ({ ...f, backup: written.get(f.path) ?? null })),
      next_steps: next,
    },
    () => {
      if (dryRun)
        return files
          .map((f) =>
            f.changed
              ? `Would ${f.creates ? 'create' : 'add to'} ${f.path} (${f.what}; nothing else in it changes):\n${f.part}`
              : `${f.path} already has huddle's ${f.what}; nothing would change.\n`,
          )
          .join('\n');
      const lines = files.map((f) => {
        if (!f.changed) return `${f.path} already has huddle's ${f.what}; nothing changed.`;
        const backup = written.get(f.path);
        return `Wrote huddle's ${f.what} into ${f.path}${backup ? ` (previous version kept in ${backup})` : ''}.`;
      });
      const how =
        server.kind === 'stdio'
          ? `The ${client} agent will run: huddle ${args.join(' ')}`
          : `The ${client} agent will call ${server.url} with the token in HUDDLE_TOKEN: start it with\n  export HUDDLE_TOKEN=$(huddle token ${room}${remote ? ` --hub ${ctx.config.url}` : ''})`;
      return `${[...lines, how, ...next].join('\n')}\n`;
    },
  );
};

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`Cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}
