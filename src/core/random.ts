// Randomness for ids, tokens and codes: unbiased draws from the platform's CSPRNG.

import { randomBytes } from 'node:crypto';

/** Where random bytes come from; injected so tests can be deterministic. */
export type RandomSource = (size: number) => Buffer;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);

/**
 * The platform's CSPRNG drawn in blocks: one system call fills `poolSize` bytes, and each draw
 * copies its bytes out, so ids on the hot path do not each pay for a call.
 */
export function createPooledRandom(poolSize = 4096): RandomSource {
  let pool = randomBytes(poolSize);
  let offset = 0;
  return (size) => {
    if (size > poolSize) return randomBytes(size);
    if (offset + size > poolSize) {
      pool = randomBytes(poolSize);
      offset = 0;
    }
    const out = Buffer.from(pool.subarray(offset, offset + size));
    // Bytes handed out are never handed out again.
    pool.fill(0, offset, offset + size);
    offset += size;
    return out;
  };
}

/**
 * Draws `length` characters from `alphabet` without modulo bias: a byte is rejected when it
 * falls in the incomplete last block of the alphabet's size.
 */
export function randomString(random: RandomSource, alphabet: string, length: number): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError('alphabet must have 2..256 characters');
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    for (const byte of random(length - out.length + 8)) {
      if (byte >= limit) continue;
      out += alphabet[byte % n];
      if (out.length === length) break;
    }
  }
  return out;
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

// Lowercase Crockford base32: no i, l, o or u, so ids read aloud without confusion.
const READABLE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** `T-4k2p`: a prefix and `length` characters that read aloud without confusion. */
export function readableId(random: RandomSource, prefix: string, length: number): string {
  return `${prefix}-${randomString(random, READABLE_ALPHABET, length)}`;
}

/** A short random identifier, lowercase letters and digits; `prefix_` is prepended. */
export function randomId(random: RandomSource, prefix: string, length = 16): string {
  return `${prefix}_${randomString(random, ID_ALPHABET, length)}`;
}

/**
 * An identifier like `randomId`'s (`prefix_` and 16 lowercase base-36 characters) whose first 8
 * characters are the time `at` (ms since 1970, base 36, good until 2059) and the last 8 random
 * (about 41 bits). Ids made later sort later, so a store that keys rows by id appends them at the
 * end of its index rather than all over it.
 */
export function timeOrderedId(random: RandomSource, prefix: string, at: number): string {
  const time = Math.max(0, Math.floor(at)).toString(36).padStart(8, '0').slice(-8);
  return `${prefix}_${time}${randomString(random, ID_ALPHABET, 8)}`;
}
