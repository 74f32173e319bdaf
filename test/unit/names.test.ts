// Room names: the documented pattern, and generated names that always follow it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOM_NAME_PATTERN, assertRoomName, generateRoomName } from '../../src/core/rooms/names.js';
import { cryptoRandom, type RandomSource } from '../../src/core/random.js';

const INVALID = { name: 'HuddleError', code: 'invalid_room_name', kind: 'invalid' };

describe('room names', () => {
  it('accept lowercase letters, digits, dots, underscores and dashes', () => {
    for (const good of [
      'a',
      '7',
      'alpha',
      'debugging-worker-k7p9',
      'my.room_v2-final',
      '0-._',
      'a'.repeat(64),
    ]) {
      assert.doesNotThrow(() => assertRoomName(good), good);
      assert.match(good, ROOM_NAME_PATTERN);
    }
  });

  it('refuse everything else with invalid_room_name', () => {
    for (const bad of [
      '',
      'Alpha',
      '-alpha',
      '.alpha',
      '_alpha',
      'al pha',
      'alpha/beta',
      'älpha',
      'alpha\n',
      'a'.repeat(65),
    ]) {
      assert.throws(() => assertRoomName(bad), INVALID, JSON.stringify(bad));
    }
  });

  it('name the pattern in the refusal', () => {
    assert.throws(
      () => assertRoomName('NOPE'),
      (err: { details: Record<string, unknown> }) => {
        assert.equal(err.details.field, 'name');
        assert.equal(err.details.pattern, ROOM_NAME_PATTERN.source);
        return true;
      },
    );
  });

  it('are generated as activity-role-xxxx and always pass the check', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const name = generateRoomName(cryptoRandom);
      assert.match(name, /^[a-z]+-[a-z]+-[0-9a-z]{4}$/);
      assert.doesNotThrow(() => assertRoomName(name), name);
      seen.add(name);
    }
    assert.ok(seen.size > 490, `only ${seen.size} distinct names in 500`);
  });

  it('are generated from the random source', () => {
    const zeros: RandomSource = (size) => Buffer.alloc(size, 0);
    assert.equal(generateRoomName(zeros), 'debugging-worker-0000');
    const fifteen: RandomSource = (size) => Buffer.alloc(size, 15);
    assert.equal(generateRoomName(fifteen), 'pairing-summit-ffff');
  });
});
