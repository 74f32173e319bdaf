// How the CLI shows events, checkpoints and members to people.

import { describeEvent } from '../core/rooms/export.js';
import type { Checkpoint, InboxItem, Message, Receipt, RoomEvent } from '../core/types.js';

export function renderEvent(e: RoomEvent): string {
  const head = `#${e.seq} ${e.ts.slice(0, 19).replace('T', ' ')} ${e.actor?.label ?? 'hub'} ${e.type}`;
  const text = describeEvent(e);
  return `${head}\n${text.replace(/^/gm, '  ')}\n`;
}

export function renderCheckpoint(c: Checkpoint): string {
  if (c.version === 0) return 'No checkpoint yet.\n';
  return `Checkpoint v${c.version} by ${c.updated_by?.label ?? 'unknown'} at ${c.updated_at}\n\n${c.text}\n`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
      )
      .join('\n') + '\n'
  );
}

const clock = (iso: string) => iso.slice(11, 19);

/** A message as a person reads it: who sent it, what kind, to whom, then the body. */
export function renderMessage(m: Message, receipt?: Receipt): string {
  const to = Array.isArray(m.to) ? m.to.join(', ') : m.to;
  const flags = [
    m.priority === 'urgent' ? 'URGENT' : '',
    receipt?.read_at ? 'read' : receipt ? 'unread' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const reply = m.reply_to ? ` (reply to ${m.reply_to})` : '';
  const head = `${m.id} ${clock(m.created_at)} ${m.kind} from ${m.from} to ${to}${reply}${flags ? ` [${flags}]` : ''}`;
  const refs = m.refs.map(
    (r) =>
      `  ref: ${r.path}${r.start_line ? `:${r.start_line}${r.end_line ? `-${r.end_line}` : ''}` : ''}`,
  );
  return [head, m.body.replace(/^/gm, '  '), ...refs].join('\n') + '\n';
}

export function renderInbox(items: InboxItem[]): string {
  return items.map((i) => renderMessage(i.message, i.receipt)).join('\n');
}
