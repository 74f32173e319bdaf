// Pair codes: XXXX-XXXX in Crockford's base32 (no I, L, O, U), about 40 bits, typed by people.

import type { RandomSource } from '../random.js';
import { randomString } from '../random.js';
import { HuddleError } from '../errors.js';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_FORMAT = 'XXXX-XXXX (letters and digits; case, dashes and spaces do not matter)';

export function mintPairCode(random: RandomSource): string {
  const raw = randomString(random, CODE_ALPHABET, 8);
  return `${raw.slice(0, 4)}-${raw.slice(4)}`;
}

/**
 * Turns what a person typed into the canonical code: upper case, separators dropped, and the
 * letters people confuse with digits (I, L, O) read as the digits. Throws `invalid_code`.
 */
export function normalizePairCode(input: string): string {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (cleaned.length !== 8 || [...cleaned].some((c) => !CODE_ALPHABET.includes(c))) {
    throw new HuddleError(
      'invalid',
      'invalid_code',
      `The pair code is malformed: expected ${CODE_FORMAT}.`,
      {
        details: { format: 'XXXX-XXXX' },
      },
    );
  }
  return `${cleaned.slice(0, 4)}-${cleaned.slice(4)}`;
}
