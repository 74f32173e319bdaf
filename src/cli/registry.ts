// Every CLI command: its usage, its flags and its arity. The code of a command is imported only
// when that command runs, so `huddle write` never loads the hub's server or database driver.

import type { ParseArgsConfig } from 'node:util';
import type { CliContext, Flags } from './context.js';

/** A command; a number it returns is the process's exit code (0 when it returns nothing). */
export type Run = (ctx: CliContext, args: string[], flags: Flags) => Promise<void | number>;
type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandEntry {
  usage: string;
  summary: string;
  options: Options;
  /** Positional arguments: at least `min`, at most `max`. */
  min: number;
  max: number;
  load: () => Promise<{ run: Run }>;
  /**
   * The exit code of a usage error (default 2). Hooks use 1: a coding client reads exit 2 from a
   * hook as "block this call" (or "wake the session").
   */
  usageExit?: 1;
  /** False for commands about the local hub itself, which never start it on first use. */
  startsLocalHub?: false;
}

const s = { type: 'string' } as const;
const b = { type: 'boolean' } as const;

export const GLOBAL_OPTIONS: Options = {
  hub: s,
  json: b,
  home: s,
  config: s,
  help: { type: 'boolean', short: 'h' },
  version: b,
};

export const COMMANDS: Record<string, CommandEntry> = {
  serve: {
    usage:
      'huddle serve [--host H] [--port P] [--store URL] [--bus URL] [--sync full|normal] [--create-secret S | --open-create] [--public-url URL] [--allowed-hosts a,b] [--log-level L] [--stop-with-parent]',
    summary:
      'run the hub (--stop-with-parent: also stop when the process that started it exits, as npm start needs)',
    options: {
      host: s,
      port: s,
      store: s,
      bus: s,
      sync: s,
      'create-secret': s,
      'open-create': b,
      'public-url': s,
      'allowed-hosts': s,
      'log-level': s,
      'stop-with-parent': b,
    },
    min: 0,
    max: 0,
    startsLocalHub: false,
    load: () => import('./commands/serve.js'),
  },
  migrate: {
    usage:
      'huddle migrate --to postgres://user@host:5432/database[?schema=name] [--from sqlite:<path>]',
    summary:
      "move this hub's rooms (logs, tokens, tasks, leases, variables) from SQLite into an empty PostgreSQL store, verified; stop the hub first",
    options: { from: s, to: s },
    min: 0,
    max: 0,
    startsLocalHub: false,
    load: () => import('./commands/migrate.js'),
  },
  status: {
    usage: 'huddle status',
    summary:
      "the hub: its URL, process, uptime, store, rooms, agents online and version (the local hub's details need its HUDDLE_HOME)",
    options: {},
    min: 0,
    max: 0,
    startsLocalHub: false,
    load: () => import('./commands/status.js'),
  },
  stop: {
    usage: 'huddle stop',
    summary: 'stop the local hub of this HUDDLE_HOME, and wait until it is gone',
    options: {},
    min: 0,
    max: 0,
    startsLocalHub: false,
    load: () => import('./commands/stop.js'),
  },
  create: {
    usage: 'huddle create [name] [--label L] [--create-secret S]',
    summary: 'create a room; prints its name and keeps its admin token',
    options: { label: s, 'create-secret': s },
    min: 0,
    max: 1,
    load: () => import('./commands/create.js'),
  },
  pair: {
    usage: 'huddle pair <room> [--scopes read,write,checkpoint] [--ttl SECONDS] [--qr]',
    summary:
      'make a one-time code for another machine or a browser (join link; --qr prints it as a QR code for a phone)',
    options: { scopes: s, ttl: s, qr: b },
    min: 1,
    max: 1,
    load: () => import('./commands/pair.js'),
  },
  open: {
    usage: 'huddle open [room] [--print]',
    summary:
      'open the cockpit of the local hub in a browser, already signed in (a one-time link valid for 30 s); --print only prints it',
    options: { print: b },
    min: 0,
    max: 1,
    load: () => import('./commands/open.js'),
  },
  join: {
    usage: 'huddle join <code> [--label L]',
    summary: 'redeem a pair code; keeps the new token',
    options: { label: s },
    min: 1,
    max: 1,
    load: () => import('./commands/join.js'),
  },
  read: {
    usage: 'huddle read <room> [--limit N]',
    summary: 'the checkpoint and recent events',
    options: { limit: s },
    min: 1,
    max: 1,
    load: () => import('./commands/read.js'),
  },
  history: {
    usage: 'huddle history <room> [--after SEQ] [--limit N]',
    summary: 'events after a cursor',
    options: { after: s, limit: s },
    min: 1,
    max: 1,
    load: () => import('./commands/history.js'),
  },
  write: {
    usage: 'huddle write <room> <markdown | ->',
    summary: "append a note ('-' reads standard input)",
    options: {},
    min: 2,
    max: Infinity,
    load: () => import('./commands/write.js'),
  },
  checkpoint: {
    usage: 'huddle checkpoint <room> <markdown | -> [--expect-version V]',
    summary: "replace the room's checkpoint",
    options: { 'expect-version': s },
    min: 2,
    max: Infinity,
    load: () => import('./commands/checkpoint.js'),
  },
  rooms: {
    usage: 'huddle rooms',
    summary: 'rooms this machine holds tokens for',
    options: {},
    min: 0,
    max: 0,
    load: () => import('./commands/rooms.js'),
  },
  devices: {
    usage: 'huddle devices <room>',
    summary: "the room's members",
    options: {},
    min: 1,
    max: 1,
    load: () => import('./commands/devices.js'),
  },
  whoami: {
    usage: 'huddle whoami <room>',
    summary: 'this machine’s member in a room',
    options: {},
    min: 1,
    max: 1,
    load: () => import('./commands/whoami.js'),
  },
  rotate: {
    usage: 'huddle rotate <room>',
    summary: 'replace this machine’s token; the old one stops working',
    options: {},
    min: 1,
    max: 1,
    load: () => import('./commands/rotate.js'),
  },
  revoke: {
    usage: 'huddle revoke <room> <label-or-id>',
    summary: 'revoke a member and all its tokens (admin)',
    options: {},
    min: 2,
    max: 2,
    load: () => import('./commands/revoke.js'),
  },
  export: {
    usage: 'huddle export <room> [--format md|jsonl]',
    summary: 'the whole room, in order',
    options: { format: s },
    min: 1,
    max: 1,
    load: () => import('./commands/export.js'),
  },
  delete: {
    usage: 'huddle delete <room> [--yes]',
    summary: 'delete a room and everything in it (admin)',
    options: { yes: b },
    min: 1,
    max: 1,
    load: () => import('./commands/delete.js'),
  },
  agent: {
    usage: 'huddle agent <room> <name> [--client C] [--model M] [--tags a,b] [--mcp-servers a,b]',
    summary: 'register this shell as an agent (again after a restart keeps its inbox)',
    options: { client: s, model: s, tags: s, 'mcp-servers': s },
    min: 2,
    max: 2,
    load: () => import('./commands/agent.js'),
  },
  who: {
    usage: 'huddle who <room>',
    summary: 'agents, their presence and capabilities',
    options: {},
    min: 1,
    max: 1,
    load: () => import('./commands/who.js'),
  },
  send: {
    usage:
      'huddle send <room> <to|a,b|*> <markdown | -> [--kind K] [--reply-to ID] [--thread T] [--urgent] [--key K] [--as NAME]',
    summary: 'send a message to an agent, a list, or everyone',
    options: { kind: s, 'reply-to': s, thread: s, urgent: b, key: s, as: s },
    min: 3,
    max: Infinity,
    load: () => import('./commands/send.js'),
  },
  inbox: {
    usage: 'huddle inbox <room> [--peek] [--all] [--wait SECONDS] [--limit N] [--as NAME]',
    summary: 'read unread messages (--peek leaves them unread)',
    options: { peek: b, all: b, wait: s, limit: s, as: s },
    min: 1,
    max: 1,
    load: () => import('./commands/inbox.js'),
  },
  ack: {
    usage: 'huddle ack <room> <id...> | --all [--as NAME]',
    summary: 'close messages in the inbox',
    options: { all: b, as: s },
    min: 1,
    max: Infinity,
    load: () => import('./commands/ack.js'),
  },
  reply: {
    usage: 'huddle reply <room> <id> <markdown | -> [--kind K] [--key K] [--as NAME]',
    summary: 'answer a message to its sender, in its thread, and ack it',
    options: { kind: s, key: s, as: s },
    min: 3,
    max: Infinity,
    load: () => import('./commands/reply.js'),
  },
  receipts: {
    usage: 'huddle receipts <room> <message-id>',
    summary: 'how far a message got with each recipient',
    options: {},
    min: 2,
    max: 2,
    load: () => import('./commands/receipts.js'),
  },
  watch: {
    usage: 'huddle watch <room> [--after SEQ] [--as NAME]',
    summary: 'follow the room live, like tail -f',
    options: { after: s, as: s },
    min: 1,
    max: 1,
    load: () => import('./commands/watch.js'),
  },
  task: {
    usage: [
      'huddle task add <room> <title> [--priority P] [--depends-on ID,...] [--description TEXT | -] [--assignee A] [--as NAME]',
      'huddle task claim|start <room> <id> [--as NAME]',
      'huddle task unclaim <room> <id> [--force] [--as NAME]',
      'huddle task done|cancel <room> <id> [--result TEXT | -] [--force] [--as NAME]',
      'huddle task handoff <room> <id> <agent> [--note TEXT | -] [--force] [--as NAME]',
      'huddle task update <room> <id> [--title T] [--priority P] [--depends-on ID,...] [--description TEXT | -] [--force] [--as NAME]',
      'huddle task show <room> <id>',
      'huddle task plan <room> <file.json | -> [--as NAME]',
    ].join('\n  '),
    summary:
      "the task board: add, claim, finish and hand off tasks (priority critical|high|medium|low); --force: an admin overrides another agent's hold",
    options: {
      priority: s,
      'depends-on': { type: 'string', multiple: true },
      description: s,
      assignee: s,
      result: s,
      note: s,
      title: s,
      force: b,
      as: s,
    },
    min: 1,
    max: Infinity,
    load: () => import('./commands/task.js'),
  },
  board: {
    usage: 'huddle board <room> [--ready] [--all] [--mine] [--as NAME]',
    summary: 'the open tasks by status; --ready: what can start now, highest priority first',
    options: { ready: b, all: b, mine: b, as: s },
    min: 1,
    max: 1,
    load: () => import('./commands/board.js'),
  },
  var: {
    usage: [
      'huddle var set <room> <key> <value | -> [--expect-version V] [--as NAME]',
      'huddle var get <room> <key | *>',
      'huddle var del <room> <key> [--expect-version V] [--as NAME]',
    ].join('\n  '),
    summary: "the room's shared variables, changed by compare-and-set",
    options: { 'expect-version': s, as: s },
    min: 1,
    max: Infinity,
    load: () => import('./commands/var.js'),
  },
  lease: {
    usage: 'huddle lease <room> <path|glob...> [--shared] [--reason R] [--ttl 30m] [--as NAME]',
    summary: 'reserve files for an agent for a while (--ttl 90s, 30m, 2h, 1d or seconds)',
    options: { shared: b, reason: s, ttl: s, as: s },
    min: 2,
    max: Infinity,
    load: () => import('./commands/lease.js'),
  },
  release: {
    usage: 'huddle release <room> <lease-id... | path...> [--force] [--as NAME]',
    summary:
      "end an agent's leases, by id or by path as leased; --force: an admin ends another agent's lease by id",
    options: { force: b, as: s },
    min: 2,
    max: Infinity,
    load: () => import('./commands/release.js'),
  },
  leases: {
    usage: 'huddle leases <room> [--check PATH] [--agent A]',
    summary: 'the live leases; --check: those covering a path or glob',
    options: { check: s, agent: s },
    min: 1,
    max: 1,
    load: () => import('./commands/leases.js'),
  },
  share: {
    usage: 'huddle share <room> <file>[:start-end] [--to AGENT,...] [--note TEXT | -] [--as NAME]',
    summary: 'send a file of the repository, or lines of it, as a message (default: to everyone)',
    options: { to: s, note: s, as: s },
    min: 2,
    max: 2,
    load: () => import('./commands/share.js'),
  },
  activity: {
    usage:
      'huddle activity <room> [--since 1h|ISO] [--type task.*,...] [--actor A] [--after SEQ] [--limit N]',
    summary: 'what happened in the room, one line per event',
    options: { since: s, type: { type: 'string', multiple: true }, actor: s, after: s, limit: s },
    min: 1,
    max: 1,
    load: () => import('./commands/activity.js'),
  },
  init: {
    usage:
      'huddle init <claude|codex|gemini|cursor|vscode|opencode> [--user] [--hub URL --room R | --code CODE] [--http [--as NAME]] [--channels] [--no-hooks] [--dry-run]',
    summary:
      "add huddle to a coding client's MCP configuration, and its hooks and instructions for Claude Code, Codex and Gemini CLI (merged, idempotent, with a backup)",
    options: {
      user: b,
      room: s,
      code: s,
      http: b,
      as: s,
      channels: b,
      'no-hooks': b,
      'dry-run': b,
    },
    min: 1,
    max: 1,
    load: () => import('./commands/init.js'),
  },
  token: {
    usage: 'huddle token <room>',
    summary: "print this machine's token for a room (for HUDDLE_TOKEN); keep it secret",
    options: {},
    min: 1,
    max: 1,
    load: () => import('./commands/token.js'),
  },
  mcp: {
    usage: 'huddle mcp [--room ROOM] [--as NAME] [--client C] [--channels]',
    summary:
      'an MCP server on stdin/stdout for one agent (for Claude Code, Codex, Gemini, ...); --channels pushes messages into Claude Code and relays its permission prompts to a person',
    options: { room: s, as: s, client: s, channels: b },
    min: 0,
    max: 0,
    load: () => import('./commands/mcp.js'),
  },
  hook: {
    usage:
      'huddle hook <event> [--client claude-code|codex|gemini] [--room ROOM] [--as NAME] [--timeout S]',
    summary:
      "answers a coding client's hook (session-start, pre-tool-use, stop, wait, ...); reads its JSON on stdin",
    options: { client: s, room: s, as: s, timeout: s },
    min: 1,
    max: 1,
    usageExit: 1,
    load: () => import('./commands/hook.js'),
  },
  config: {
    usage: 'huddle config print',
    summary: 'the effective settings, secrets masked',
    options: {},
    min: 1,
    max: 1,
    load: () => import('./commands/config.js'),
  },
};

export function helpText(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return [
    'huddle: one room for all your coding agents.',
    '',
    'Commands:',
    ...lines,
    '',
    'Global flags: --hub URL (or HUDDLE_URL), --json, --home DIR (or HUDDLE_HOME), --config FILE, --help, --version',
    "--as NAME (or HUDDLE_AGENT) chooses which of this machine's agents acts.",
    'Exit codes: 0 success, 1 error, 2 usage error.',
    '',
  ].join('\n');
}
