// The in-process Bus against the Bus contract, and openBus's choice of implementation.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openBus } from '../../src/bus/open-bus.js';
import { runBusContract } from './bus-contract.js';

runBusContract('local (in-process)', async () => {
  const errors: unknown[] = [];
  const bus = await openBus('local:', { onError: (err) => errors.push(err) });
  return { publisher: bus, listener: bus, errors, cleanup: () => bus.close() };
});

it('openBus refuses a URL it has no bus for, naming the field and hiding credentials', async () => {
  await assert.rejects(openBus('redis://user:secret@example.test:6379'), (err: Error) => {
    assert.match(err.message, /Unsupported bus URL/);
    assert.doesNotMatch(err.message, /secret/);
    assert.equal((err as unknown as { details: { field: string } }).details.field, 'bus');
    return true;
  });
});
