// Agents of a room: presence, client, host, directory, capabilities, current task, leases.

import { useBox } from '../box.js';
import type { RoomState } from '../room-state.js';
import { version } from '../store.js';
import { Empty, Status, Time } from './bits.js';

export function Agents({ s }: { s: RoomState }) {
  useBox(version);
  const agents = [...s.agents.values()].sort(
    (a, b) =>
      Number(a.status === 'retired') - Number(b.status === 'retired') ||
      a.name.localeCompare(b.name),
  );
  if (agents.length === 0) return <Empty>No agent has registered in this room yet.</Empty>;
  return (
    <ul class="agents">
      {agents.map((a) => {
        const tasks = [...s.tasks.values()].filter(
          (t) => t.assignee === a.name && (t.status === 'claimed' || t.status === 'in_progress'),
        );
        const leases = [...s.leases.values()].filter((l) => l.agent === a.name);
        return (
          <li key={a.name} class="card agent" data-agent={a.name}>
            <header class="row spread">
              <strong>
                {a.name}
                {a.name === s.agent && <span class="muted"> (you)</span>}
              </strong>
              <Status status={a.status} />
            </header>
            <dl class="facts">
              <dt>client</dt>
              <dd>{a.client}</dd>
              {a.model && (
                <>
                  <dt>model</dt>
                  <dd>{a.model}</dd>
                </>
              )}
              <dt>host</dt>
              <dd>{a.host ?? '—'}</dd>
              <dt>directory</dt>
              <dd>{a.cwd ? <code>{a.cwd}</code> : '—'}</dd>
              {a.mcp_servers.length > 0 && (
                <>
                  <dt>MCP</dt>
                  <dd>{a.mcp_servers.join(', ')}</dd>
                </>
              )}
              {a.tags.length > 0 && (
                <>
                  <dt>tags</dt>
                  <dd>{a.tags.join(', ')}</dd>
                </>
              )}
              <dt>task</dt>
              <dd>
                {tasks.length
                  ? tasks.map((t) => `${t.id} ${t.title} (${t.status})`).join('; ')
                  : '—'}
              </dd>
              <dt>leases</dt>
              <dd>
                {leases.length
                  ? leases.map((l) => `${l.paths.join(', ')} (${l.mode})`).join('; ')
                  : '—'}
              </dd>
              <dt>last seen</dt>
              <dd>
                <Time at={a.last_seen} />
              </dd>
            </dl>
          </li>
        );
      })}
    </ul>
  );
}
