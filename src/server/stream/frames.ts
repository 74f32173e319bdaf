// Frames a client may send on the stream, checked before use: size, JSON depth, and shape.

import { z } from 'zod';
import { HuddleError } from '../../core/errors.js';
import { sendBody } from '../schemas.js';

export const MAX_FRAME_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 16;

const room = z.string();
const ids = z.array(z.string()).max(1000);

export const clientFrame = z.discriminatedUnion('type', [
  // `token` for a member token; `csrf` for a signed-in browser, whose cookie came with the upgrade.
  z.strictObject({
    type: z.literal('auth'),
    token: z.string().optional(),
    csrf: z.string().optional(),
    ref: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('subscribe'),
    room,
    after: z.number().int().min(0).optional(),
    agent: z.string().optional(),
    token: z.string().optional(),
    ref: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('unsubscribe'), room, ref: z.string().optional() }),
  z.strictObject({ type: z.literal('ping'), ref: z.string().optional() }),
  z.strictObject({
    type: z.literal('presence'),
    room,
    agent: z.string(),
    status: z.string().optional(),
    ref: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('send'),
    room,
    agent: z.string(),
    message: sendBody,
    idempotency_key: z.string().optional(),
    ref: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('injected'),
    room,
    agent: z.string(),
    ids,
    ref: z.string().optional(),
  }),
]);

export type ClientFrame = z.infer<typeof clientFrame>;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing, so a
 * hostile frame cannot make the parser recurse deeply. Stops counting past `max`.
 */
export function jsonDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

/** Parses one text frame, or throws an `invalid_frame` HuddleError saying what is wrong. */
export function parseFrame(text: string): ClientFrame {
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new HuddleError(
      'invalid',
      'invalid_frame',
      `The frame nests deeper than ${MAX_JSON_DEPTH} levels.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HuddleError(
      'invalid',
      'invalid_frame',
      `The frame is not valid JSON: ${(err as Error).message}.`,
    );
  }
  const parsed = clientFrame.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `field "${issue.path.join('.')}": ` : '';
    throw new HuddleError(
      'invalid',
      'invalid_frame',
      `Invalid frame: ${where}${issue.message}. See docs/protocol.md for the frames.`,
      {
        details: {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      },
    );
  }
  return parsed.data;
}
