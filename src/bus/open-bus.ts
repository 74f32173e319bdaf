// The one place that chooses a Bus implementation from a URL, beside openStore.

import type { Bus } from '../core/bus.js';
import { HuddleError } from '../core/errors.js';
import { createLocalBus } from './local-bus.js';

export interface OpenBusOptions {
  /** Told about listeners that threw. */
  onError?: (err: unknown) => void;
}

/** `local:` is the in-process bus: every subscriber lives in this hub process. */
export async function openBus(url: string, options: OpenBusOptions = {}): Promise<Bus> {
  if (url === 'local:') return createLocalBus(options.onError);
  throw new HuddleError(
    'invalid',
    'invalid_bus',
    `Unsupported bus URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use local:.`,
    { details: { field: 'bus' } },
  );
}
