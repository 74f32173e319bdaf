// Scope rules: admin implies all; parsing and checking, with errors that name what is missing.

import { HuddleError } from '../errors.js';
import { SCOPES, type Scope } from '../types.js';

export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}

export function assertScope(granted: readonly Scope[], needed: Scope): void {
  if (!hasScope(granted, needed)) {
    throw new HuddleError(
      'forbidden',
      'insufficient_scope',
      `This token lacks the "${needed}" scope (it has: ${granted.join(', ') || 'none'}). Ask a room admin for a pair code with that scope.`,
      { details: { needed, granted } },
    );
  }
}

/** Validates a scope list from input, deduplicated and in canonical order. */
export function parseScopes(input: readonly string[]): Scope[] {
  const unknown = input.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new HuddleError(
      'invalid',
      'invalid_scope',
      `Unknown scope ${unknown.map((s) => JSON.stringify(s)).join(', ')}: choose from ${SCOPES.join(', ')}.`,
      { details: { field: 'scopes', allowed: [...SCOPES] } },
    );
  }
  if (input.length === 0) {
    throw new HuddleError(
      'invalid',
      'invalid_scope',
      `At least one scope is needed: choose from ${SCOPES.join(', ')}.`,
      {
        details: { field: 'scopes', allowed: [...SCOPES] },
      },
    );
  }
  return SCOPES.filter((s) => input.includes(s));
}
