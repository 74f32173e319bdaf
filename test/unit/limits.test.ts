// Size limits count UTF-8 bytes, accept exactly the limit, and refuse anything over it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHECKPOINT_MAX_BYTES,
  NOTE_MAX_BYTES,
  assertIdempotencyKey,
  assertLabel,
  assertPageLimit,
  assertTextSize,
} from '../../src/core/limits.js';

function tooLarge(fn: () => void, field: string, size: number, limit: number) {
  assert.throws(fn, (err: Record<string, unknown>) => {
    assert.equal(err.name, 'HuddleError');
    assert.equal(err.code, `${field}_too_large`);
    assert.equal(err.kind, 'too_large');
    assert.deepEqual(err.details, { field, limit_bytes: limit, size_bytes: size });
    return true;
  });
}

describe('text size limits', () => {
  it('are 64 KiB for notes and checkpoints', () => {
    assert.equal(NOTE_MAX_BYTES, 65_536);
    assert.equal(CHECKPOINT_MAX_BYTES, 65_536);
  });

  it('accept a 64 KiB ASCII note and refuse one byte more', () => {
    assert.doesNotThrow(() => assertTextSize('note', 'a'.repeat(65_536), NOTE_MAX_BYTES));
    tooLarge(
      () => assertTextSize('note', 'a'.repeat(65_537), NOTE_MAX_BYTES),
      'note',
      65_537,
      65_536,
    );
  });

  it('count multi-byte characters as their UTF-8 bytes', () => {
    // 'é' is 2 bytes, '€' 3, '😀' 4 (and 2 UTF-16 units).
    assert.doesNotThrow(() => assertTextSize('note', 'é'.repeat(32_768), NOTE_MAX_BYTES));
    tooLarge(
      () => assertTextSize('note', 'é'.repeat(32_768) + 'a', NOTE_MAX_BYTES),
      'note',
      65_537,
      65_536,
    );
    tooLarge(
      () => assertTextSize('note', '€'.repeat(30_000), NOTE_MAX_BYTES),
      'note',
      90_000,
      65_536,
    );
    assert.doesNotThrow(() =>
      assertTextSize('checkpoint', '😀'.repeat(16_384), CHECKPOINT_MAX_BYTES),
    );
    tooLarge(
      () => assertTextSize('checkpoint', '😀'.repeat(16_384) + 'a', CHECKPOINT_MAX_BYTES),
      'checkpoint',
      65_537,
      65_536,
    );
  });

  it('accept the empty text', () => {
    assert.doesNotThrow(() => assertTextSize('note', '', NOTE_MAX_BYTES));
  });
});

describe('other input limits', () => {
  it('labels are 1 to 100 printable characters', () => {
    const invalid = { name: 'HuddleError', code: 'invalid_label', kind: 'invalid' };
    assert.doesNotThrow(() => assertLabel('laptop'));
    assert.doesNotThrow(() => assertLabel('x'.repeat(100)));
    for (const bad of ['', '   ', 'x'.repeat(101), 'tab\there', 'new\nline', 'del\u007f']) {
      assert.throws(() => assertLabel(bad), invalid, JSON.stringify(bad));
    }
  });

  it('page limits are integers from 1 to 100', () => {
    const invalid = { name: 'HuddleError', code: 'invalid_limit', kind: 'invalid' };
    for (const good of [1, 50, 100]) assert.doesNotThrow(() => assertPageLimit(good));
    for (const bad of [0, -1, 101, 1.5, Number.NaN])
      assert.throws(() => assertPageLimit(bad), invalid);
  });

  it('idempotency keys are 1 to 200 visible ASCII characters', () => {
    const invalid = { name: 'HuddleError', code: 'invalid_idempotency_key', kind: 'invalid' };
    assert.doesNotThrow(() => assertIdempotencyKey('retry-1:abc'));
    assert.doesNotThrow(() => assertIdempotencyKey('k'.repeat(200)));
    for (const bad of ['', 'k'.repeat(201), 'has space', 'é']) {
      assert.throws(() => assertIdempotencyKey(bad), invalid, JSON.stringify(bad));
    }
  });
});
