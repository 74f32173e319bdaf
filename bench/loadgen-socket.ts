// Opening the load generator's WebSockets: authenticated at the upgrade, as HubClient does, a
// bounded number at a time so that thousands do not overflow the server's accept queue.

import WebSocket from 'ws';

/** Opens one WebSocket with `Authorization: Bearer <token>`; rejects on error or after 30 s. */
export function openSocket(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      // The hub offers no compression; not even asking keeps thousands of clients small.
      perMessageDeflate: false,
      // The generator trusts the server's text; checking it is UTF-8 costs CPU the server needs.
      skipUTF8Validation: true,
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no connection to ${url} within 30 s`));
    }, 30_000);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.removeAllListeners('error');
      ws.on('error', () => {}); // a later error arrives with 'close', which is recorded
      resolve(ws);
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Sends `frame` and resolves with the first answer carrying its `ref` (rejects on `error`). */
export function request(
  ws: WebSocket,
  frame: { type: string; ref: string; [key: string]: unknown },
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number) => reject(new Error(`closed with ${code} before an answer`));
    const onMessage = (data: WebSocket.RawData) => {
      const answer = JSON.parse(data.toString()) as {
        type: string;
        ref?: string;
        message?: string;
      };
      if (answer.ref !== frame.ref) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (answer.type === 'error') reject(new Error(`${answer.message ?? 'refused'}`));
      else resolve(answer);
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify(frame));
  });
}

/** Runs `fn` over `items` with at most `limit` at a time; results in the order of `items`. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}
