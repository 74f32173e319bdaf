// Pair codes: their format and alphabet, what people may type, and unbiased random draws.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CODE_ALPHABET,
  mintPairCode,
  normalizePairCode,
} from '../../src/core/members/pair-codes.js';
import { cryptoRandom, randomString, type RandomSource } from '../../src/core/random.js';

/** A source that returns the given bytes in order, over and over. */
function cycling(bytes: number[]): RandomSource {
  let i = 0;
  return (size) => Buffer.from(Array.from({ length: size }, () => bytes[i++ % bytes.length]!));
}

const INVALID = { name: 'HuddleError', code: 'invalid_code', kind: 'invalid' };

describe('pair codes', () => {
  it('are minted as XXXX-XXXX from the unambiguous alphabet', () => {
    const shape = new RegExp(`^[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = mintPairCode(cryptoRandom);
      assert.match(code, shape);
      assert.doesNotMatch(code, /[ILOU]/);
      seen.add(code);
    }
    assert.equal(seen.size, 200);
  });

  it('use a 32-letter alphabet without I, L, O or U (40 bits per code)', () => {
    assert.equal(CODE_ALPHABET.length, 32);
    assert.equal(new Set(CODE_ALPHABET).size, 32);
    for (const c of 'ILOU') assert.ok(!CODE_ALPHABET.includes(c));
  });

  it('are drawn from the random source, one byte per character', () => {
    assert.equal(mintPairCode(cycling([0, 1, 2, 3, 28, 29, 30, 31])), '0123-WXYZ');
  });

  it('normalize case, dashes, spaces and the letters read as digits', () => {
    assert.equal(normalizePairCode('ABCD-EFGH'), 'ABCD-EFGH');
    assert.equal(normalizePairCode('abcd-efgh'), 'ABCD-EFGH');
    assert.equal(normalizePairCode('abcdefgh'), 'ABCD-EFGH');
    assert.equal(normalizePairCode(' ab cd - ef gh '), 'ABCD-EFGH');
    assert.equal(normalizePairCode('AB-CD-EF-GH'), 'ABCD-EFGH');
    assert.equal(normalizePairCode('ab\tcd\nefgh'), 'ABCD-EFGH');
    assert.equal(normalizePairCode('IiLl-Oo00'), '1111-0000');
  });

  it('normalize a minted code to itself', () => {
    for (let i = 0; i < 50; i++) {
      const code = mintPairCode(cryptoRandom);
      assert.equal(normalizePairCode(code), code);
      assert.equal(normalizePairCode(code.toLowerCase().replace('-', ' ')), code);
    }
  });

  it('refuse malformed input with invalid_code', () => {
    for (const bad of [
      '',
      'ABCD-EFG',
      'ABCD-EFGHJ',
      'ABCD-EFGU',
      'ABCD_EFGH',
      'ABCD.EFGH',
      'ÄBCD-EFGH',
      'ABCD-EFG!',
      '--------',
    ]) {
      assert.throws(() => normalizePairCode(bad), INVALID, JSON.stringify(bad));
    }
  });
});

describe('randomString', () => {
  it('skips bytes of the incomplete last block instead of folding them in', () => {
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'; // 36: bytes 252..255 are refused
    assert.equal(randomString(cycling([252, 253, 254, 255, 5]), alphabet, 1), '5');
    assert.equal(randomString(cycling([251, 255, 0]), alphabet, 2), 'z0');
  });

  it('draws every character equally often from a source covering all bytes', () => {
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
    const counts = new Map<string, number>();
    // 4 * 252 characters consume the bytes 0..255 four times over.
    for (const c of randomString(
      cycling(Array.from({ length: 256 }, (_, i) => i)),
      alphabet,
      1008,
    )) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.equal(counts.size, 36);
    for (const [c, n] of counts) assert.equal(n, 28, `character ${c}`);
  });

  it('keeps drawing until the string is long enough, however many bytes are refused', () => {
    const s = randomString(
      cycling([255, 255, 255, 255, 255, 255, 255, 255, 255, 1]),
      'ab' + 'c'.repeat(98),
      5,
    );
    assert.equal(s, 'bbbbb');
  });

  it('refuses alphabets it cannot draw from fairly', () => {
    assert.throws(() => randomString(cryptoRandom, 'a', 4), RangeError);
    assert.throws(() => randomString(cryptoRandom, 'x'.repeat(257), 4), RangeError);
  });
});
