// Shared snippets: the checks on a share and the Markdown message it becomes, a header naming the
// file and lines, then the code in a fence that its content cannot break.

import type { ShareRequest } from '../api-types.js';
import { HuddleError } from '../errors.js';
import { normalizeLeasePath } from '../leases/globs.js';
import { assertTextSize } from '../limits.js';
import type { CodeRef } from '../types.js';

export const SHARE_MAX_BYTES = 256 * 1024;
export const SHARE_NOTE_MAX_BYTES = 16 * 1024;
const LANGUAGE_PATTERN = /^[A-Za-z0-9+#._-]{1,40}$/;

/** A run of backticks one longer than the longest in `content`, and at least three. */
export function fenceFor(content: string): string {
  // A loop, not Math.max(...runs), which overflows the stack on content with very many runs.
  let longest = 0;
  for (const run of content.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

function invalid(code: string, message: string, field: string): HuddleError {
  return new HuddleError('invalid', code, message, { details: { field } });
}

/** Checks a share and returns its reference (path, lines, language). */
export function parseShare(input: ShareRequest): CodeRef {
  const path = normalizeLeasePath(input.path, 'path');
  const ref: CodeRef = { path };
  for (const key of ['start_line', 'end_line'] as const) {
    const n = input[key];
    if (n === undefined) continue;
    if (!Number.isSafeInteger(n) || n < 1)
      throw invalid('invalid_range', `${key} must be a positive whole number.`, key);
    ref[key] = n;
  }
  if (ref.start_line !== undefined && ref.end_line !== undefined && ref.end_line < ref.start_line)
    throw invalid('invalid_range', 'end_line comes before start_line.', 'end_line');
  if (input.language !== undefined) {
    if (!LANGUAGE_PATTERN.test(input.language))
      throw invalid(
        'invalid_language',
        'language must be 1 to 40 letters, digits or +#._-.',
        'language',
      );
    ref.language = input.language;
  }
  if (input.content.length === 0)
    throw invalid(
      'empty_snippet',
      'The snippet is empty: share a file or a range with some text in it.',
      'content',
    );
  assertTextSize('snippet', input.content, SHARE_MAX_BYTES, 'content');
  if (input.note !== undefined) assertTextSize('note', input.note, SHARE_NOTE_MAX_BYTES, 'note');
  return ref;
}

/** The message body: the note, a header naming the file and lines, and the fenced content. */
export function shareBody(input: ShareRequest, ref: CodeRef): string {
  const lines =
    ref.start_line === undefined
      ? ''
      : ref.end_line === undefined || ref.end_line === ref.start_line
        ? ` line ${ref.start_line}`
        : ` lines ${ref.start_line}–${ref.end_line}`;
  const fence = fenceFor(input.content);
  const content = input.content.endsWith('\n') ? input.content : `${input.content}\n`;
  return [
    ...(input.note?.trim() ? [input.note.trim(), ''] : []),
    `\`${ref.path}\`${lines}`,
    '',
    `${fence}${ref.language ?? ''}`,
    `${content}${fence}`,
  ].join('\n');
}
