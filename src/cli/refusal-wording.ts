// Hub refusals whose advice names an HTTP detail, reworded with what a CLI user types instead.

import type { HubError } from '../client/hub-client.js';
import type { CommandEntry } from './registry.js';

/** `err` as the CLI shows it: the same code, status and details, with advice in CLI terms. */
export async function inCliTerms(err: unknown, entry: CommandEntry | undefined): Promise<unknown> {
  const e = err as Partial<HubError> | undefined;
  if (e?.name !== 'HubError' || e.code !== 'duplicate_message') return err;
  const seconds = e.details?.window_seconds;
  const again =
    entry?.options.key !== undefined
      ? 'If you mean to send it again, add --key with a new value each time (for example --key again-1).'
      : `If you mean to send it again, wait ${seconds} s.`;
  // Loaded already: the error came from it.
  const { HubError } = await import('../client/hub-client.js');
  const h = err as HubError;
  return new HubError(
    h.status,
    h.code,
    `The same message went to the same recipients less than ${seconds} s ago, so it was not sent again. ${again}`,
    h.retryable,
    h.details,
    h.retryAfterSeconds,
  );
}
