// Scopes: admin implies every scope, the others imply only themselves; parsing is strict.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertScope, hasScope, parseScopes } from '../../src/core/members/scopes.js';
import { SCOPES } from '../../src/core/types.js';

describe('scopes', () => {
  it('admin grants every scope', () => {
    for (const s of SCOPES) assert.ok(hasScope(['admin'], s), s);
  });

  it('any other scope grants only itself', () => {
    for (const granted of SCOPES.filter((s) => s !== 'admin')) {
      for (const needed of SCOPES) {
        assert.equal(hasScope([granted], needed), granted === needed, `${granted} -> ${needed}`);
      }
    }
    assert.ok(!hasScope([], 'read'));
    assert.ok(hasScope(['read', 'write'], 'write'));
  });

  it('refuses a missing scope with insufficient_scope naming it', () => {
    assert.doesNotThrow(() => assertScope(['read', 'write'], 'write'));
    assert.throws(
      () => assertScope(['read'], 'write'),
      (err: Record<string, unknown>) => {
        assert.equal(err.name, 'HuddleError');
        assert.equal(err.code, 'insufficient_scope');
        assert.equal(err.kind, 'forbidden');
        assert.deepEqual(err.details, { needed: 'write', granted: ['read'] });
        return true;
      },
    );
    assert.throws(() => assertScope(['write', 'checkpoint'], 'admin'), {
      code: 'insufficient_scope',
    });
  });

  it('parses a list into canonical order without duplicates', () => {
    assert.deepEqual(parseScopes(['write', 'read', 'write']), ['read', 'write']);
    assert.deepEqual(parseScopes(['admin', 'checkpoint', 'read']), ['read', 'checkpoint', 'admin']);
    assert.deepEqual(parseScopes([...SCOPES].reverse()), [...SCOPES]);
  });

  it('refuses unknown and empty lists with invalid_scope', () => {
    const invalid = { name: 'HuddleError', code: 'invalid_scope', kind: 'invalid' };
    assert.throws(() => parseScopes(['read', 'root']), invalid);
    assert.throws(() => parseScopes(['READ']), invalid);
    assert.throws(() => parseScopes(['']), invalid);
    assert.throws(() => parseScopes([]), invalid);
  });
});
