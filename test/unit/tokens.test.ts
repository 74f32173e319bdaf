// Member tokens: their shape, the digest that is stored instead of them, and the shape check.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { cryptoRandom } from '../../src/core/random.js';
import {
  TOKEN_PREFIX,
  assertTokenShape,
  digestSecret,
  mintToken,
  sameDigest,
} from '../../src/core/members/tokens.js';

const INVALID = { name: 'HuddleError', code: 'invalid_token', kind: 'unauthenticated' };

describe('tokens', () => {
  it('are hd_ and 256 random bits in base64url (43 characters)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const token = mintToken(cryptoRandom);
      assert.match(token, /^hd_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token.slice(3), 'base64url').length, 32);
      seen.add(token);
    }
    assert.equal(seen.size, 100);
    assert.equal(TOKEN_PREFIX, 'hd_');
  });

  it('take exactly 32 bytes from the random source and encode them', () => {
    const sizes: number[] = [];
    const token = mintToken((size) => {
      sizes.push(size);
      return Buffer.alloc(size, 0xff);
    });
    assert.deepEqual(sizes, [32]);
    assert.equal(token, 'hd_' + '_'.repeat(42) + '8');
  });

  it('are stored as the hex SHA-256 of the whole token', () => {
    assert.equal(
      digestSecret('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const token = mintToken(cryptoRandom);
    const digest = digestSecret(token);
    assert.equal(digest, createHash('sha256').update(token).digest('hex'));
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.ok(!digest.includes(token.slice(3)));
    assert.notEqual(digestSecret(token), digestSecret(token + 'x'));
    assert.equal(
      digestSecret('é'),
      createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'),
    );
  });

  it('compare digests by value', () => {
    const a = digestSecret('one');
    assert.ok(sameDigest(a, digestSecret('one')));
    assert.ok(!sameDigest(a, digestSecret('two')));
    assert.ok(!sameDigest(a, a.slice(0, 62)));
  });

  it('pass the shape check when minted', () => {
    for (let i = 0; i < 50; i++) assertTokenShape(mintToken(cryptoRandom));
  });

  it('fail the shape check with invalid_token when malformed', () => {
    const good = mintToken(cryptoRandom);
    for (const bad of [
      '',
      'hd_',
      good.slice(0, -1),
      good + 'A',
      'HD_' + good.slice(3),
      'xx_' + good.slice(3),
      good.slice(3),
      'hd_' + '+'.repeat(43),
      'hd_' + 'A'.repeat(42) + '=',
      ` ${good}`,
      `${good}\n`,
    ]) {
      assert.throws(() => assertTokenShape(bad), INVALID, JSON.stringify(bad));
    }
  });
});
