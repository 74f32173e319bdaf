// HTTP requests with every byte under the test's control (Host, Origin, Content-Type, bodies that
// are not JSON or not UTF-8), answered as status and text, with a deadline so a hang fails.

import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query, already encoded. */
  path: string;
  headers?: Record<string, string | undefined>;
  body?: Buffer | string;
  /** Leave out the Host header entirely. */
  noHost?: boolean;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Reuses connections across a property's runs, as a real client would. */
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Sends `req` to the hub at `base`; rejects if no full answer arrives within `timeoutMs`. */
export function rawHttp(base: string, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const url = new URL(base);
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) if (v !== undefined) headers[k] = v;
  if (body !== undefined && !req.chunked) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        setHost: !req.noHost && headers.host === undefined,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          answered = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', (err) => !answered && reject(err));
      },
    );
    const timer = setTimeout(() => {
      r.destroy(new Error(`no answer within ${timeoutMs} ms: ${req.method} ${req.path}`));
    }, timeoutMs);
    // A hub that answers before reading the whole body (413) may reset the rest: the answer counts.
    r.on('error', (err) => {
      clearTimeout(timer);
      if (!answered) reject(err);
    });
    if (req.chunked && body !== undefined) {
      const half = Math.floor(body.length / 2);
      r.write(body.subarray(0, half));
      r.end(body.subarray(half));
    } else r.end(body);
  });
}
