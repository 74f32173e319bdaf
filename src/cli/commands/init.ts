// huddle init <client>: writes huddle into the client's MCP configuration, merged with what is
// there, idempotent, with a backup of the file it changes.

import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  ];
  const http = flags.http === true;
  let server: ServerSpec = { kind: 'stdio', command: 'huddle', args };
  if (http) {
    // The client calls the hub itself; its token comes from HUDDLE_TOKEN, never from the file.
    const httpRoom = room ?? defaultRoom(project);
    if (!remote) await ensureLocalHub(ctx);
    await credentialForRoom(ctx, httpRoom);
    const agent = stringFlag(flags, 'as') ?? defaultAgent(AGENT_CLIENT[client], process.cwd());
    server = {
      kind: 'http',
      url: `${ctx.config.url}/mcp?agent=${encodeURIComponent(agent)}`,
      tokenEnv: 'HUDDLE_TOKEN',
    };
    room = httpRoom;
  }
  const target = INIT_TARGETS[client];
  const path = target.path(scope, project, ctx.io.env.HOME || homedir());
  let old: string | undefined;
  try {
    old = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  const text = target.merge(old, server);
  const changed = text !== old;
  const dryRun = flags['dry-run'] === true;
  let backup: string | null = null;
  if (changed && !dryRun) {
    mkdirSync(dirname(path), { recursive: true });
    if (old !== undefined) copyFileSync(path, (backup = `${path}.bak`));
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  ctx.print({ client, scope, path, changed, dry_run: dryRun, backup, content: text }, () => {
    if (dryRun) return `Would write ${path}:\n${text}`;
    if (!changed) return `${path} already has huddle; nothing changed.\n`;
    const how =
      server.kind === 'stdio'
        ? `The ${client} agent will run: huddle ${args.join(' ')}`
        : `The ${client} agent will call ${server.url} with the token in HUDDLE_TOKEN: start it with\n  export HUDDLE_TOKEN=$(huddle token ${room}${remote ? ` --hub ${ctx.config.url}` : ''})`;
    return `Wrote huddle into ${path}${backup ? ` (previous version kept in ${backup})` : ''}.\n${how}\n`;
  });
};
