// Reading requests at the HTTP edge: JSON bodies checked against a schema, bearer tokens,
// idempotency keys and integer query parameters, each refusal a precise HuddleError.

import type { Context } from 'hono';
import type { z } from 'zod';
import { HuddleError } from '../core/errors.js';
import { invalidCursor, invalidLimit } from '../core/limits.js';

/** Parses the JSON body against a strict schema; unknown fields and wrong types are refused. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let data: unknown = {};
  if (text.trim() !== '') {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new HuddleError(
        'invalid',
        'invalid_json',
        `The request body is not valid JSON: ${(err as Error).message}.`,
      );
    }
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      return {
        field: keys.join(', '),
        message: `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    return {
      field: path || '(body)',
      message: `${path ? `field "${path}"` : 'body'}: ${issue.message}`,
    };
  });
  throw new HuddleError(
    'invalid',
    'invalid_request',
    `Invalid request: ${issues.map((i) => i.message).join('; ')}.`,
    {
      details: { issues },
    },
  );
}

export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new HuddleError(
      'unauthenticated',
      'invalid_token',
      'The Authorization header must be "Bearer hd_...".',
    );
  }
  return match[1];
}

export function idempotencyKey(c: Context): string | undefined {
  return c.req.header('idempotency-key');
}

/**
 * Refuses an Idempotency-Key on a route whose result the hub cannot replay; `why` says why and
 * what a retry does instead.
 */
export function refuseIdempotencyKey(c: Context, why: string): void {
  if (c.req.header('idempotency-key') !== undefined) {
    throw new HuddleError(
      'invalid',
      'idempotency_not_supported',
      `This route does not take an Idempotency-Key: ${why}`,
    );
  }
}

/** Routes without a body refuse one, as strictly as routes with a body refuse unknown fields. */
export async function readNoBody(c: Context): Promise<void> {
  if ((await c.req.text()).trim() !== '') {
    throw new HuddleError('invalid', 'invalid_request', 'This route takes no request body.', {
      details: { issues: [] },
    });
  }
}

const QUERY_ERRORS: Record<string, () => HuddleError> = {
  after: invalidCursor,
  limit: () => invalidLimit(),
  wait: () =>
    new HuddleError('invalid', 'invalid_wait', 'wait must be a whole number of seconds.', {
      details: { field: 'wait' },
    }),
};

export function queryInt(c: Context, name: 'after' | 'limit' | 'wait'): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw QUERY_ERRORS[name]!();
  return Number(raw);
}

/** A boolean query flag: 1/true/yes or 0/false/no; anything else is refused. */
export function queryFlag(c: Context, name: string): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || /^(0|false|no)$/i.test(raw)) return false;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  throw new HuddleError(
    'invalid',
    `invalid_${name}`,
    `Query parameter "${name}" must be true or false (1 or 0).`,
    {
      details: { field: name },
    },
  );
}

/** A text query parameter, refused when longer than `max` characters. */
export function queryText(c: Context, name: string, max = 1024): string | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (raw.length === 0 || raw.length > max) {
    throw new HuddleError(
      'invalid',
      `invalid_${name}`,
      `Query parameter "${name}" must have 1 to ${max} characters.`,
      { details: { field: name } },
    );
  }
  return raw;
}

/** A list query parameter, repeated (`?type=a&type=b`) or comma-separated (`?type=a,b`). */
export function queryList(c: Context, name: string): string[] | undefined {
  const raw = c.req.queries(name);
  if (raw === undefined) return undefined;
  return raw.flatMap((v) => v.split(',')).filter((v) => v !== '');
}
