// A fake model API for the tests that run a real coding client against it: an HTTP server on port
// 0 that hands each request, with its whole body, to the test's handler. A handler that throws is
// answered 500, and the first failure is kept for the test to report.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeModelApi {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The first failure: a handler that threw, or one reported with `fail`. */
  error(): Error | undefined;
  /** Keeps a failure that must not stop the answer (work the test does before answering). */
  fail(err: unknown): void;
  close(): void;
}

export async function startFakeModelApi(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void> | void,
): Promise<FakeModelApi> {
  let failure: Error | undefined;
  const fail = (err: unknown) => void (failure ??= err as Error);
  const server = createServer((req, res) => {
    void (async () => {
      let body = '';
      for await (const chunk of req) body += (chunk as Buffer).toString();
      await handle(req, body, res);
    })().catch((err: Error) => {
      fail(err);
      res.writeHead(500);
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    error: () => failure,
    fail,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Text a client escaped as XML before putting it into the model's input. */
export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
