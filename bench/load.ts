// A closed-loop load generator: each writer POSTs a note over a keep-alive connection and sends
// the next as soon as the answer arrives, so throughput = writers / latency. Latency is measured
// from sending the request to the end of the answer.

import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { startCpuMeter, type CpuMeter, type CpuShares } from './cpu-meter.js';
import { summarize, type Summary } from './stats.js';

/** A note of a realistic size for an agent's progress report: about 250 bytes of Markdown. */
export const NOTE_TEXT =
  '## Progress\n\nRefactored `token-expiry.ts`: expiry is now compared in UTC, not local time. ' +
  'Tests in `test/unit/tokens.test.ts` pass. Next: the migration for stored timestamps; ' +
  'do not touch `src/store/` until it lands.';

export interface LoadOptions {
  /** Where to POST, e.g. http://127.0.0.1:PORT/v1/rooms/NAME/notes. */
  url: URL;
  /** One bearer token per writer. */
  tokens: string[];
  /** The server's pid, for its CPU share. */
  serverPid: number | undefined;
  /** Seconds of load before measuring, then seconds measured. */
  warmupSeconds: number;
  seconds: number;
}

export interface LoadResult {
  /** Answers with status 201 inside the measured window, per second. */
  rate: number;
  /** Latency of requests sent inside the window. */
  latency: Summary;
  /** Every 201 answer, warm-up included. */
  acked: number;
  errors: number;
  firstError: string | undefined;
  /** CPU use during the window. */
  cpu: CpuShares | undefined;
}

export async function driveLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.tokens.length });
  const body = Buffer.from(JSON.stringify({ text: NOTE_TEXT }));
  const started = performance.now();
  const measureFrom = started + options.warmupSeconds * 1000;
  const measureTo = measureFrom + options.seconds * 1000;

  const latencies: number[] = [];
  let acked = 0;
  let inWindow = 0;
  let errors = 0;
  let firstError: string | undefined;
  let meter: CpuMeter | undefined;
  const startMeter = setTimeout(
    () => (meter = startCpuMeter(options.serverPid)),
    measureFrom - started,
  );
  let cpu: CpuShares | undefined;

  await Promise.all(
    options.tokens.map(async (token) => {
      while (performance.now() < measureTo) {
        const t0 = performance.now();
        const res = await postNote(agent, options.url, token, body);
        const t1 = performance.now();
        if (res.status !== 201) {
          errors++;
          firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
          continue;
        }
        acked++;
        // Throughput counts answers inside the window; latency, requests sent inside it.
        if (t1 >= measureFrom && t1 <= measureTo) inWindow++;
        if (t0 >= measureFrom) latencies.push(t1 - t0);
      }
      // The first writer to see the window close ends the CPU measurement.
      cpu ??= meter?.stop();
    }),
  );
  clearTimeout(startMeter);
  agent.destroy();
  return {
    rate: inWindow / options.seconds,
    latency: summarize(latencies),
    acked,
    errors,
    firstError,
    cpu,
  };
}

/** One POST with an Idempotency-Key, as HubClient sends it; resolves when the answer has ended. */
function postNote(
  agent: Agent,
  url: URL,
  token: string,
  body: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': String(body.length),
          'idempotency-key': randomUUID(),
          accept: 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end(body);
  });
}
