// The default label of this machine's member: user@host.

import { hostname, userInfo } from 'node:os';

export function defaultLabel(): string {
  let user = 'user';
  try {
    user = userInfo().username || user;
  } catch {
    // no passwd entry (some containers): keep the generic name
  }
  return `${user}@${hostname()}`;
}
