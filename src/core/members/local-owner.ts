// The hub's owner on its own machine: a caller over loopback that holds the local secret (a file
// in HUDDLE_HOME readable only by its user) is trusted without a pair code.

import { HuddleError } from '../errors.js';
import { isLoopbackAddress } from '../loopback.js';
import { digestSecret, sameDigest } from './tokens.js';

/**
 * Refuses anyone but the owner: `local_join_refused` from another machine or on a hub without a
 * local secret (its message is `refused`, saying what to do instead), `invalid_local_secret`
 * for a wrong secret.
 */
export function assertLocalOwner(
  localSecret: string | undefined,
  address: string,
  given: string,
  refused: string,
): void {
  if (localSecret === undefined || !isLoopbackAddress(address)) {
    throw new HuddleError('forbidden', 'local_join_refused', refused);
  }
  if (!sameDigest(digestSecret(given), digestSecret(localSecret))) {
    throw new HuddleError(
      'forbidden',
      'invalid_local_secret',
      "The local secret does not match this hub's: is HUDDLE_HOME the hub's?",
    );
  }
}
