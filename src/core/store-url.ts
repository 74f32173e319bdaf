// A postgres:// store (and bus) URL as huddle reads it: the connection string for the driver, and the
// schema for huddle's tables from its `schema` query parameter (default `public`).

import { HuddleError } from './errors.js';

export interface PgUrl {
  /** The URL without huddle's own parameters, for the driver. */
  url: string;
  schema: string;
}

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isPgUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

export function parsePgUrl(url: string): PgUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HuddleError(
      'invalid',
      'invalid_store',
      'The PostgreSQL URL does not parse; write it like postgres://user:password@host:5432/database?schema=huddle.',
      { details: { field: 'store' } },
    );
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA.test(schema)) {
    throw new HuddleError(
      'invalid',
      'invalid_store',
      `The schema ${JSON.stringify(schema)} is not a plain identifier: use letters, digits and _ (at most 63), starting with a letter or _.`,
      { details: { field: 'store' } },
    );
  }
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}
