// The tools that hold shared state besides messages: "checkpoint" with the room's variables, and
// "who" with file leases. Each keeps its old behaviour as the default op.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { renderLeaseLine } from '../core/tasks/task-board.js';
import { LEASE_MODES, type Variable } from '../core/types.js';
import type { AgentSession } from './agent-session.js';
import { escapeAngles } from '../core/messaging/framing.js';
import { overrideAside } from '../core/overrides.js';
import { guard, invalidArgs, ok, toolError } from './tool-result.js';

const varLine = (v: Variable) =>
  `${v.key} = ${escapeAngles(v.value)} (v${v.version} by ${escapeAngles(v.set_by)})`;

export function registerCoordinationTools(server: McpServer, session: AgentSession): void {
  server.registerTool(
    'checkpoint',
    {
      description:
        'The checkpoint (the state of the work, Markdown) and shared variables. op set (default): replace the checkpoint with text; pass expected_version from "room" so you never overwrite a newer one. vars: list; var_get: key; var_set: key, value, expected_version (0: new); var_del: key.',
      inputSchema: {
        op: z.enum(['set', 'vars', 'var_get', 'var_set', 'var_del']).optional(),
        text: z.string().optional(),
        expected_version: z.number().int().min(0).optional(),
        key: z.string().optional(),
        value: z.string().optional(),
      },
    },
    async ({ op = 'set', text, expected_version, key, value }) => {
      try {
        if (op === 'set') {
          if (text === undefined) throw invalidArgs('op set needs text (the new checkpoint).');
          const { checkpoint } = await session.setCheckpoint(text, expected_version);
          return ok(`Checkpoint is now version ${checkpoint.version}.`, { checkpoint });
        }
        if (op === 'vars') {
          const { variables } = await session.variables();
          return ok(variables.map(varLine).join('\n') || 'No variables yet.', { variables });
        }
        if (key === undefined) throw invalidArgs(`op ${op} needs key.`);
        if (op === 'var_get') {
          const { variable } = await session.variable(key);
          return ok(varLine(variable), { variable });
        }
        if (op === 'var_del') {
          const { deleted } = await session.deleteVariable(key, expected_version);
          return ok(`Deleted ${key} (was v${deleted.version}).`, { deleted });
        }
        if (value === undefined) throw invalidArgs('op var_set needs key and value.');
        const { variable } = await session.setVariable(key, value, expected_version);
        return ok(`Set ${varLine(variable)}.`, { variable });
      } catch (err) {
        const result = toolError(err);
        // A lost compare-and-set shows what won, so the agent can decide without another call.
        const e = err as { code?: string; details?: { current?: Variable | null } };
        const current = e.details?.current;
        if (e.code === 'variable_conflict' && current)
          result.content.push({ type: 'text', text: `Current: ${varLine(current)}` });
        return result;
      }
    },
  );

  server.registerTool(
    'who',
    {
      description:
        'Agents and file leases. op agents (default): presence, client, host, directory. leases: live leases (path: who holds it). lease: reserve paths or globs before editing them; a conflict names the holder. release: ids or paths.',
      inputSchema: {
        op: z.enum(['agents', 'leases', 'lease', 'release']).optional(),
        path: z.string().optional(),
        paths: z.array(z.string()).optional(),
        mode: z.enum(LEASE_MODES).optional().describe('default exclusive'),
        reason: z.string().optional(),
        ttl_seconds: z.number().int().optional(),
        ids: z.array(z.string()).optional(),
        force: z.boolean().optional().describe("release, admin only: end another agent's lease"),
      },
    },
    guard(async ({ op = 'agents', path, paths, mode, reason, ttl_seconds, ids, force }) => {
      if (force && op !== 'release') throw invalidArgs('force is for op release only.');
      switch (op) {
        case 'agents': {
          const { agents } = await session.agents();
          const lines = agents.map(
            (a) =>
              `- ${a.name}: ${a.status}, ${a.client}${a.model ? ` (${a.model})` : ''}${a.host ? ` on ${a.host}` : ''}${a.cwd ? ` in ${a.cwd}` : ''}${a.tags.length ? `, tags ${a.tags.join(',')}` : ''}`,
          );
          return ok(escapeAngles(lines.join('\n')) || 'No agents yet.', { agents });
        }
        case 'leases': {
          const { leases } = await session.leases(path === undefined ? {} : { path });
          const none = path === undefined ? 'No live leases.' : `Nobody holds ${path}.`;
          return ok(escapeAngles(leases.map(renderLeaseLine).join('\n') || none), { leases });
        }
        case 'lease': {
          if (!paths?.length) throw invalidArgs('op lease needs paths (files or globs).');
          const { lease } = await session.lease({
            paths,
            ...(mode && { mode }),
            ...(reason !== undefined && { reason }),
            ...(ttl_seconds !== undefined && { ttl_seconds }),
          });
          return ok(`Leased: ${escapeAngles(renderLeaseLine(lease))}`, { lease });
        }
        case 'release': {
          if (!ids?.length && !paths?.length)
            throw invalidArgs('op release needs ids (lease ids) or paths (as leased).');
          const { released, event } = await session.release({
            ...(ids?.length ? { ids } : { paths: paths! }),
            ...(force && { force }),
          });
          const aside = overrideAside(event);
          return ok(`Released ${released.map((l) => l.id).join(', ')}${aside}.`, { released });
        }
      }
    }),
  );
}
