// How the CLI shows events, checkpoints and members to people.

import { describeEvent } from '../core/export.js';
import type { Checkpoint, RoomEvent } from '../core/types.js';

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
