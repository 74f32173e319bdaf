// The bridge registers its agent only once its client turns out to be a session, not a health
// check: `claude mcp list` and `gemini mcp list` start the server, initialize, list tools or ping,
// and stop it within a moment. Registering is held back until the first tool call (which waits
// for it), or until whatever else the bridge takes as a sign of a session.

import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { toolError } from '../mcp/tool-result.js';

export interface Deferred<T> {
  /**
   * Runs the work unless it succeeded already. Callers at the same time share one attempt; after
   * a failure the next call tries again.
   */
  run(): Promise<T>;
  /** The result, once an attempt succeeded. */
  value(): T | undefined;
}

export function deferred<T>(work: () => Promise<T>): Deferred<T> {
  let done: T | undefined;
  let pending: Promise<T> | undefined;
  return {
    run() {
      if (done !== undefined) return Promise.resolve(done);
      pending ??= work().then(
        (result) => (done = result),
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
      return pending;
    },
    value: () => done,
  };
}

const isToolCall = (m: JSONRPCMessage) => 'method' in m && m.method === 'tools/call';

/**
 * Holds the client's first tool call until `ready()` settles, and every message after it too, so
 * their order is kept. A tool call is answered with a tool error when `ready()` failed (the next
 * one tries again). Call after the server connected to `transport`.
 */
export function gateToolCalls(transport: Transport, ready: () => Promise<unknown>): void {
  const deliver = transport.onmessage!;
  let open = false;
  let queue: Promise<void> | undefined;
  transport.onmessage = (message, extra) => {
    if (!open && !queue && !isToolCall(message)) return deliver(message, extra);
    queue = (queue ?? Promise.resolve()).then(async () => {
      if (!open && isToolCall(message)) {
        try {
          await ready();
          open = true;
        } catch (err) {
          const id = (message as { id: string | number }).id;
          await transport.send({ jsonrpc: '2.0', id, result: toolError(err) }).catch(() => {});
          return;
        }
      }
      deliver(message, extra);
    });
  };
}
