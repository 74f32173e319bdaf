// Waiting for a person's answer to an approval request: long-polls of the hub until the request is
// no longer pending, its time runs out, or the waiter stops. The PermissionRequest hook and the
// bridge's channel permission relay both wait this way.

import type { Approval } from '../core/types.js';
import type { HubClient } from './hub-client.js';

/** One long-poll of the hub; short enough for proxies that cut idle requests. */
const POLL_SECONDS = 25;

export interface AwaitApprovalOptions {
  /** When to stop waiting (ms since the epoch): by default one second past the request's expiry. */
  deadline?: number;
  /** Stops the wait when aborted. */
  signal?: AbortSignal | undefined;
}

/**
 * The request once it is no longer pending (allowed, denied, expired or cancelled), or undefined
 * when the deadline passed or the signal stopped the wait first. A hub that cannot be reached for
 * a moment (a retryable error) is asked again while there is time, backing off up to 5 s; any
 * other error is thrown. It never withdraws the request: that is the caller's choice.
 */
export async function awaitApproval(
  hub: Pick<HubClient, 'approval'>,
  approval: Pick<Approval, 'room' | 'id' | 'expires_at'>,
  options: AwaitApprovalOptions = {},
): Promise<Approval | undefined> {
  const deadline = options.deadline ?? Date.parse(approval.expires_at) + 1000;
  const { signal } = options;
  let onAbort = () => {};
  const stopped = new Promise<'stopped'>((resolve) => {
    onAbort = () => resolve('stopped');
    if (signal?.aborted) resolve('stopped');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const pause = (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      new Promise<void>((r) => (timer = setTimeout(r, ms))),
      stopped.then(() => {}),
    ]).finally(() => clearTimeout(timer));
  };
  try {
    let failures = 0;
    while (Date.now() < deadline && !signal?.aborted) {
      const wait = Math.max(1, Math.min(POLL_SECONDS, Math.ceil((deadline - Date.now()) / 1000)));
      const answer = await Promise.race([
        hub.approval(approval.room, approval.id, wait).then(
          (r) => r.approval,
          (err: unknown) => err as Error,
        ),
        stopped,
      ]);
      if (answer === 'stopped') return undefined;
      if (answer instanceof Error) {
        // The hub went away for a moment: ask again while there is time; anything else ends here.
        if (!(answer as { retryable?: boolean }).retryable) throw answer;
        await pause(Math.min(5000, 500 * 2 ** Math.min(failures++, 4)));
        continue;
      }
      failures = 0;
      if (answer.status !== 'pending') return answer;
    }
    return undefined;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
