// The bridge's registration gate: a deferred task shared by concurrent callers and retried after a
// failure, and the hold on tool calls that keeps every message in order behind the first one.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { deferred, gateToolCalls } from '../../src/bridge/deferred-agent.js';

function fakeTransport() {
  const delivered: string[] = [];
  const sent: JSONRPCMessage[] = [];
  const transport = {
    start: async () => {},
    close: async () => {},
    send: async (m: JSONRPCMessage) => void sent.push(m),
    onmessage: (m: JSONRPCMessage) =>
      void delivered.push('method' in m ? `${m.method}${'id' in m ? `#${m.id}` : ''}` : 'other'),
  } as Transport;
  const receive = (m: JSONRPCMessage) => transport.onmessage!(m);
  return { transport, delivered, sent, receive };
}

const call = (id: number): JSONRPCMessage => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'who', arguments: {} },
});
const list = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, method: 'tools/list' });
const settle = () => new Promise((r) => setImmediate(r));

describe('deferred', () => {
  it('runs once for concurrent callers, and again after a failure', async () => {
    let runs = 0;
    let fail = true;
    const d = deferred(async () => {
      runs++;
      await settle();
      if (fail) throw new Error('hub down');
      return 'agent';
    });
    const both = await Promise.allSettled([d.run(), d.run()]);
    assert.deepEqual(
      both.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(runs, 1);
    assert.equal(d.value(), undefined);
    fail = false;
    assert.equal(await d.run(), 'agent');
    assert.equal(await d.run(), 'agent');
    assert.equal(runs, 2);
    assert.equal(d.value(), 'agent');
  });
});

describe('gateToolCalls', () => {
  it('passes messages through until a tool call, which waits; later messages keep their order', async () => {
    const { transport, delivered, receive } = fakeTransport();
    let release!: () => void;
    let asked = 0;
    const ready = new Promise<void>((r) => (release = r));
    gateToolCalls(transport, () => {
      asked++;
      return ready;
    });
    receive(list(1));
    assert.deepEqual(delivered, ['tools/list#1'], 'nothing held before a tool call');
    receive(call(2));
    receive(list(3));
    await settle();
    assert.deepEqual(delivered, ['tools/list#1'], 'the call and what follows it wait');
    release();
    await settle();
    assert.deepEqual(delivered, ['tools/list#1', 'tools/call#2', 'tools/list#3']);
    receive(call(4));
    await settle();
    assert.deepEqual(delivered.at(-1), 'tools/call#4');
    assert.equal(asked, 1, 'once ready, tool calls go through');
  });

  it('answers a tool call with a tool error when registering fails, and tries again at the next', async () => {
    const { transport, delivered, sent, receive } = fakeTransport();
    let fail = true;
    gateToolCalls(transport, async () => {
      if (fail)
        throw Object.assign(new Error('The hub is not reachable.'), { code: 'hub_unreachable' });
    });
    receive(call(1));
    await settle();
    assert.deepEqual(delivered, []);
    assert.deepEqual(sent, [
      {
        jsonrpc: '2.0',
        id: 1,
        result: {
          isError: true,
          content: [{ type: 'text', text: 'Error hub_unreachable: The hub is not reachable.' }],
          structuredContent: {
            error: { code: 'hub_unreachable', message: 'The hub is not reachable.', details: {} },
          },
        },
      },
    ]);
    fail = false;
    receive(call(2));
    await settle();
    assert.deepEqual(delivered, ['tools/call#2']);
  });
});
