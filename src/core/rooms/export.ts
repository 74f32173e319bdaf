// Renders a room's export: Markdown for people, JSON Lines (one event a line) for machines.

import type { Checkpoint, Member, Room, RoomEvent } from '../types.js';

export type ExportFormat = 'md' | 'jsonl';

export interface RoomExport {
  room: Room;
  checkpoint: Checkpoint;
  members: Member[];
  events: AsyncIterable<RoomEvent>;
  exported_at: string;
}

/** One JSON object per line: every event of the room, in seq order. */
export async function* renderJsonl(data: RoomExport): AsyncIterable<string> {
  for await (const event of data.events) yield JSON.stringify(event) + '\n';
}

/** A readable document: the checkpoint, the members, then the whole log in order. */
export async function* renderMarkdown(data: RoomExport): AsyncIterable<string> {
  const { room, checkpoint, members } = data;
  yield `# Room ${room.name}\n\nExported ${data.exported_at}. Created ${room.created_at}.\n\n`;
  if (checkpoint.version === 0) {
    yield '## Checkpoint\n\n_No checkpoint yet._\n\n';
  } else {
    yield `## Checkpoint (version ${checkpoint.version}, by ${checkpoint.updated_by?.label ?? 'unknown'} at ${checkpoint.updated_at})\n\n${checkpoint.text}\n\n`;
  }
  yield '## Members\n\n';
  for (const m of members) {
    const state = m.revoked_at ? `revoked ${m.revoked_at}` : 'active';
    yield `- ${m.label} (\`${m.id}\`): ${m.scopes.join(', ')}; joined ${m.created_at}; ${state}\n`;
  }
  yield '\n## Log\n';
  for await (const e of data.events) {
    // Quoted, so a heading inside a note cannot break the document's own structure.
    const quoted = describeEvent(e).replace(/^/gm, '> ');
    yield `\n### #${e.seq} ${e.type} by ${e.actor?.label ?? 'hub'} at ${e.ts}\n\n${quoted}\n`;
  }
}

/** The human-readable content of one event, as the Markdown export and the CLI show it. */
export function describeEvent(e: RoomEvent): string {
  const b = e.body;
  switch (e.type) {
    case 'note':
      return String(b.text);
    case 'checkpoint':
      return `Checkpoint version ${b.version}:\n\n${b.text}`;
    case 'room.created':
      return `Created the room "${b.name}".`;
    case 'code.created':
      return `Created a pair code with scopes ${(b.scopes as string[]).join(', ')}, valid until ${b.expires_at}.`;
    case 'member.joined':
      return `${b.label} joined with scopes ${(b.scopes as string[]).join(', ')}.`;
    case 'member.revoked':
      return `Revoked ${b.label ?? b.member_id}.`;
    case 'member.token_rotated':
      return 'Rotated its token.';
    case 'member.token_added':
      return 'Got one more token (a local client).';
    case 'agent.registered': {
      const a = b.agent as { name: string; client: string; host: string | null };
      return `${b.restarted ? 'Re-registered' : 'Registered'} agent ${a.name} (${a.client}${a.host ? ` on ${a.host}` : ''}).`;
    }
    case 'agent.status':
      return `Agent ${b.agent} is ${b.to} (was ${b.from}; ${b.reason}).`;
    case 'message': {
      const m = b.message as {
        id: string;
        from: string;
        to: string | string[];
        kind: string;
        body: string;
      };
      return `${m.kind} from ${m.from} to ${Array.isArray(m.to) ? m.to.join(', ') : m.to} (${m.id}):\n\n${m.body}`;
    }
    case 'receipt':
      return `${b.agent}: ${b.step} ${(b.message_ids as string[]).join(', ')}`;
    default:
      return '```json\n' + JSON.stringify(b, null, 2) + '\n```';
  }
}
