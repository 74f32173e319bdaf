// Awaiting a refusal from the hub through HubClient: a HubError with this HTTP status and code.

import assert from 'node:assert/strict';
import { HubError } from '../../src/client/hub-client.js';

export async function refusedBy(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<HubError> {
  const err = await promise.then(
    () => assert.fail(`expected ${status} ${code}`),
    (e: unknown) => e as HubError,
  );
  assert.ok(err instanceof HubError, String(err));
  assert.deepEqual([err.status, err.code], [status, code], err.message);
  return err;
}
