// Streams a room export as Markdown or JSON Lines, page by page, never holding it all in memory.

import { HuddleError } from '../core/errors.js';
import {
  renderJsonl,
  renderMarkdown,
  type ExportFormat,
  type RoomExport,
} from '../core/rooms/export.js';

export function describeExportFormat(raw: string | undefined): ExportFormat {
  if (raw === undefined || raw === 'md' || raw === 'jsonl') return raw ?? 'md';
  throw new HuddleError(
    'invalid',
    'invalid_format',
    'format must be "md" (Markdown) or "jsonl" (JSON Lines).',
    {
      details: { field: 'format', allowed: ['md', 'jsonl'] },
    },
  );
}

export function exportResponse(data: RoomExport, format: ExportFormat): Response {
  const chunks = (format === 'md' ? renderMarkdown(data) : renderJsonl(data))[
    Symbol.asyncIterator
  ]();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
  });
  return new Response(stream, {
    headers: {
      'content-type':
        format === 'md' ? 'text/markdown; charset=utf-8' : 'application/jsonl; charset=utf-8',
      'content-disposition': `attachment; filename="${data.room.name}.${format}"`,
    },
  });
}
