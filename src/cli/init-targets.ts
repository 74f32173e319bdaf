// Where each coding client reads its MCP servers, and how huddle's entry is merged into that file
// without touching anything else in it.

import { join } from 'node:path';
import { CliError } from './cli-error.js';

export const INIT_CLIENTS = ['claude', 'codex', 'gemini', 'cursor', 'vscode', 'opencode'] as const;
export type InitClient = (typeof INIT_CLIENTS)[number];

/** The agent client name `huddle mcp --client` announces for each. */
export const AGENT_CLIENT: Record<InitClient, string> = {
  claude: 'claude-code',
  codex: 'codex',
  gemini: 'gemini',
  cursor: 'cursor',
  vscode: 'vscode',
  opencode: 'opencode',
};

/** How the client reaches huddle: it runs the stdio bridge, or it calls the hub's /mcp. */
export type ServerSpec =
  | { kind: 'stdio'; command: string; args: string[] }
  /** The token comes from the environment variable `tokenEnv`, never written into the file. */
  | { kind: 'http'; url: string; tokenEnv: string };

export interface InitTarget {
  /** The file, for project scope (relative to the project) or user scope (relative to home). */
  path(scope: 'project' | 'user', project: string, home: string): string;
  /**
   * The file's new text with huddle's entry set; `old` is its current text or undefined, and
   * `path` names the file in refusals.
   */
  merge(old: string | undefined, server: ServerSpec, path: string): string;
  /** huddle's part of the file, as merge writes it, and nothing else of the file. */
  part(server: ServerSpec): string;
}

/** The object in a client's JSON settings file (empty when there is none); refuses anything else. */
export function parseJson(text: string | undefined, path: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data === 'object' && data !== null && !Array.isArray(data))
      return data as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CliError(
    `${path} is not a JSON object (comments are not supported); fix or move it, then run init again.`,
  );
}

/** A JSON file with a map of servers under `key`; huddle's entry is replaced, the rest kept. */
function jsonTarget(
  key: string,
  entry: (server: ServerSpec) => unknown,
  where: (scope: 'project' | 'user', project: string, home: string) => string,
): InitTarget {
  return {
    path: where,
    merge(old, server, path) {
      const data = parseJson(old, path);
      const servers = data[key];
      if (
        servers !== undefined &&
        (typeof servers !== 'object' || servers === null || Array.isArray(servers))
      ) {
        throw new CliError(
          `"${key}" in the existing file is not an object; fix it, then run init again.`,
        );
      }
      data[key] = {
        ...(servers as Record<string, unknown> | undefined),
        huddle: entry(server),
      };
      return JSON.stringify(data, null, 2) + '\n';
    },
    part: (server) => JSON.stringify({ [key]: { huddle: entry(server) } }, null, 2) + '\n',
  };
}

const tomlString = (s: string) => JSON.stringify(s);

/** The `[mcp_servers.huddle]` table of Codex's config.toml. */
function codexTable(server: ServerSpec): string {
  const body =
    server.kind === 'stdio'
      ? `command = ${tomlString(server.command)}\nargs = [${server.args.map(tomlString).join(', ')}]`
      : `url = ${tomlString(server.url)}\nbearer_token_env_var = ${tomlString(server.tokenEnv)}`;
  return `[mcp_servers.huddle]\n${body}\n`;
}

/** Codex's TOML: the `[mcp_servers.huddle]` table is replaced or appended; other text is kept as is. */
const codexTarget: InitTarget = {
  path: (scope, project, home) =>
    scope === 'user' ? join(home, '.codex', 'config.toml') : join(project, '.codex', 'config.toml'),
  part: codexTable,
  merge(old, server) {
    const table = codexTable(server);
    const text = old ?? '';
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.trim() === '[mcp_servers.huddle]');
    if (start < 0) return (text.trim() === '' ? '' : text.replace(/\n*$/, '\n\n')) + table;
    let end = start + 1;
    while (end < lines.length && !/^\s*\[/.test(lines[end]!)) end++;
    const before = lines.slice(0, start).join('\n');
    const after = lines.slice(end).join('\n');
    return `${before}${before ? '\n' : ''}${table}${after ? `\n${after}` : ''}`.replace(
      /\n*$/,
      '\n',
    );
  },
};

/** Claude Code's and Gemini CLI's entry: a command, or `type: "http"` with `${VAR}` expanded. */
const commandOrHttp = (server: ServerSpec) =>
  server.kind === 'stdio'
    ? { command: server.command, args: server.args }
    : {
        type: 'http',
        url: server.url,
        headers: { Authorization: `Bearer \${${server.tokenEnv}}` },
      };

export const INIT_TARGETS: Record<InitClient, InitTarget> = {
  claude: jsonTarget('mcpServers', commandOrHttp, (scope, project, home) =>
    scope === 'user' ? join(home, '.claude.json') : join(project, '.mcp.json'),
  ),
  codex: codexTarget,
  gemini: jsonTarget('mcpServers', commandOrHttp, (scope, project, home) =>
    join(scope === 'user' ? home : project, '.gemini', 'settings.json'),
  ),
  cursor: jsonTarget(
    'mcpServers',
    (server) =>
      server.kind === 'stdio'
        ? { command: server.command, args: server.args }
        : { url: server.url, headers: { Authorization: `Bearer \${env:${server.tokenEnv}}` } },
    (scope, project, home) => join(scope === 'user' ? home : project, '.cursor', 'mcp.json'),
  ),
  vscode: jsonTarget(
    'servers',
    (server) =>
      server.kind === 'stdio'
        ? { type: 'stdio', command: server.command, args: server.args }
        : {
            type: 'http',
            url: server.url,
            headers: { Authorization: `Bearer \${env:${server.tokenEnv}}` },
          },
    (scope, project) => {
      if (scope === 'user')
        throw new CliError(
          'VS Code keeps user MCP servers in its own settings; use the project scope (.vscode/mcp.json).',
        );
      return join(project, '.vscode', 'mcp.json');
    },
  ),
  opencode: jsonTarget(
    'mcp',
    (server) =>
      server.kind === 'stdio'
        ? { type: 'local', command: [server.command, ...server.args] }
        : {
            type: 'remote',
            url: server.url,
            headers: { Authorization: `Bearer {env:${server.tokenEnv}}` },
          },
    (scope, project, home) =>
      scope === 'user'
        ? join(home, '.config', 'opencode', 'opencode.json')
        : join(project, 'opencode.json'),
  ),
};
