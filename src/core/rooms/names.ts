// Room names: the documented pattern, and generated names like `debugging-worker-k7p9`.

import type { RandomSource } from '../random.js';
import { randomString } from '../random.js';
import { HuddleError } from '../errors.js';

export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const ROOM_NAME_RULE =
  '1 to 64 characters: lowercase letters, digits, ".", "_" and "-", starting with a letter or digit';

/** `field` names where the name came from: the body's `name`, or the path's `room`. */
export function assertRoomName(name: string, field = 'name'): void {
  if (!ROOM_NAME_PATTERN.test(name)) {
    throw new HuddleError(
      'invalid',
      'invalid_room_name',
      `Invalid room name ${JSON.stringify(name.slice(0, 80))}: use ${ROOM_NAME_RULE} (pattern ${ROOM_NAME_PATTERN.source}).`,
      { details: { field, pattern: ROOM_NAME_PATTERN.source } },
    );
  }
}

const ACTIVITIES = [
  'debugging',
  'refactoring',
  'shipping',
  'reviewing',
  'testing',
  'profiling',
  'porting',
  'sketching',
  'tracing',
  'building',
  'planning',
  'fixing',
  'tuning',
  'wiring',
  'mapping',
  'pairing',
];
const ROLES = [
  'worker',
  'falcon',
  'otter',
  'compiler',
  'harbor',
  'lantern',
  'beacon',
  'orchard',
  'comet',
  'anvil',
  'kestrel',
  'meadow',
  'signal',
  'garden',
  'river',
  'summit',
];

/** A readable room name with 4 random base-36 characters (about 20 bits) to avoid collisions. */
export function generateRoomName(random: RandomSource): string {
  const a = ACTIVITIES[random(1)[0]! % ACTIVITIES.length];
  const b = ROLES[random(1)[0]! % ROLES.length];
  return `${a}-${b}-${randomString(random, '0123456789abcdefghijklmnopqrstuvwxyz', 4)}`;
}
