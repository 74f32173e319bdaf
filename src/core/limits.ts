// Size limits of the model. Input over a limit is refused with an error naming it, never cut.

import { HuddleError } from './errors.js';

export const NOTE_MAX_BYTES = 64 * 1024;
export const CHECKPOINT_MAX_BYTES = 64 * 1024;
export const LABEL_MAX_CHARS = 100;
export const PAGE_MAX = 100;
export const IDEMPOTENCY_KEY_MAX_CHARS = 200;

/**
 * Refuses a Markdown text whose UTF-8 size passes `maxBytes`, naming the limit. `what` names
 * the error (`note_too_large`); `field` is the request field, when it is called otherwise.
 */
export function assertTextSize(what: string, text: string, maxBytes: number, field = what): void {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    throw new HuddleError(
      'too_large',
      `${what}_too_large`,
      `The ${what} is ${size} bytes; the limit is ${maxBytes} bytes (${maxBytes / 1024} KiB). Nothing was stored: split it or shorten it.`,
      { details: { field, limit_bytes: maxBytes, size_bytes: size } },
    );
  }
}

export function assertLabel(label: string): void {
  if (
    label.trim().length === 0 ||
    label.length > LABEL_MAX_CHARS ||
    /[\u0000-\u001f\u007f]/.test(label)
  ) {
    throw new HuddleError(
      'invalid',
      'invalid_label',
      `Invalid label: use 1 to ${LABEL_MAX_CHARS} printable characters.`,
      { details: { field: 'label', max_chars: LABEL_MAX_CHARS } },
    );
  }
}

/** Validates a page size: 1..PAGE_MAX. */
export function assertPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) throw invalidLimit();
}

export function invalidLimit(): HuddleError {
  return new HuddleError(
    'invalid',
    'invalid_limit',
    `limit must be an integer from 1 to ${PAGE_MAX}; page with the returned cursor for more.`,
    {
      details: { field: 'limit', max: PAGE_MAX },
    },
  );
}

export function assertIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_CHARS || /[^\x21-\x7e]/.test(key)) {
    throw new HuddleError(
      'invalid',
      'invalid_idempotency_key',
      `The idempotency key must be 1 to ${IDEMPOTENCY_KEY_MAX_CHARS} visible ASCII characters.`,
      { details: { field: 'idempotency_key', max_chars: IDEMPOTENCY_KEY_MAX_CHARS } },
    );
  }
}

export function invalidCursor(): HuddleError {
  return new HuddleError(
    'invalid',
    'invalid_cursor',
    'after must be a non-negative integer: the seq of the last event you have.',
    {
      details: { field: 'after' },
    },
  );
}

/** The longest a long-poll may wait. */
export const MAX_WAIT_SECONDS = 300;

export function assertWait(wait: number): void {
  if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
    throw new HuddleError(
      'invalid',
      'invalid_wait',
      `wait must be an integer from 0 to ${MAX_WAIT_SECONDS} seconds.`,
      {
        details: { field: 'wait' },
      },
    );
  }
}
