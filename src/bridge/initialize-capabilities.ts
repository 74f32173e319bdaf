// Capabilities that depend on the client: the bridge may declare an experimental capability only
// when the client's own capabilities (or the bridge's flags) call for it. The SDK fixes a server's
// capabilities before it connects, so this adds them to the `initialize` answer on its way out.

import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type Experimental = Record<string, object>;

/**
 * Calls `extra` with the client capabilities of each `initialize` request and merges what it
 * returns into the answer's `capabilities.experimental`. Call after the server connected to
 * `transport`.
 */
export function declareOnInitialize(
  transport: Transport,
  extra: (client: ClientCapabilities | undefined) => Experimental | undefined,
): void {
  const deliver = transport.onmessage!;
  const send = transport.send.bind(transport);
  /** Initialize requests not answered yet, by id, with what their answer adds. */
  const pending = new Map<string | number, Experimental | undefined>();
  transport.onmessage = (message, info) => {
    if ('method' in message && message.method === 'initialize' && 'id' in message) {
      const params = message.params as { capabilities?: ClientCapabilities } | undefined;
      pending.set(message.id, extra(params?.capabilities));
    }
    deliver(message, info);
  };
  transport.send = (message: JSONRPCMessage, options) => {
    if ('result' in message && pending.has(message.id)) {
      const added = pending.get(message.id);
      pending.delete(message.id);
      const result = message.result as { capabilities?: { experimental?: Experimental } };
      if (result.capabilities && added && Object.keys(added).length > 0) {
        const capabilities = {
          ...result.capabilities,
          experimental: { ...result.capabilities.experimental, ...added },
        };
        message = { ...message, result: { ...message.result, capabilities } };
      }
    } else if ('error' in message && message.id !== undefined) {
      pending.delete(message.id);
    }
    return send(message, options);
  };
}
