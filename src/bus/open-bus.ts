// The one place that chooses a Bus implementation from a URL, beside openStore.

import type { Bus } from '../core/bus.js';
import { HuddleError } from '../core/errors.js';
import { createLocalBus } from './local-bus.js';
import { isPgUrl, parsePgUrl } from '../core/store-url.js';

export interface OpenBusOptions {
  /** Told about listeners that threw. */
  onError?: (err: unknown) => void;
}

/**
 * `local:` is the in-process bus: every subscriber lives in this hub process. `postgres://...`
 * (the store's URL, `?schema=` included) is LISTEN/NOTIFY on the store's database, for several
 * hubs sharing it; its driver loads only then.
 */
export async function openBus(url: string, options: OpenBusOptions = {}): Promise<Bus> {
  if (url === 'local:') return createLocalBus(options.onError);
  if (isPgUrl(url)) {
    const { url: connection, schema } = parsePgUrl(url);
    const { openPgBus } = await import('./pg-bus.js');
    return openPgBus({ url: connection, schema, onError: options.onError });
  }
  throw new HuddleError(
    'invalid',
    'invalid_bus',
    `Unsupported bus URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use local: or postgres://user@host:5432/database.`,
    { details: { field: 'bus' } },
  );
}
