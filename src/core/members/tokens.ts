// Member tokens: `hd_` plus 256 random bits; only their SHA-256 digest is ever stored.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from '../random.js';
import { HuddleError } from '../errors.js';

export const TOKEN_PREFIX = 'hd_';
const TOKEN_PATTERN = /^hd_[A-Za-z0-9_-]{43}$/;

export function mintToken(random: RandomSource): string {
  return TOKEN_PREFIX + random(32).toString('base64url');
}

/** The hex SHA-256 of a secret, the only form in which tokens and codes are stored. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks the shape of a presented token before any lookup. */
export function assertTokenShape(token: string): void {
  if (!TOKEN_PATTERN.test(token)) {
    throw new HuddleError(
      'unauthenticated',
      'invalid_token',
      'The token is malformed: expected "hd_" followed by 43 base64url characters. Join the room again with a pair code.',
    );
  }
}
