// Open-loop HTTP reads for the load generator: GETs leave at a fixed rate whatever the answers do
// (over as many keep-alive connections as that takes), each timed from its scheduled time to the
// end of its answer.

import { Agent, request } from 'node:http';
import { monoMs, Samples, type ReaderSpec, type Timing } from './loadgen-protocol.js';
import { startTicker } from './loadgen-ticker.js';

export class ReaderGroup {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly samples = new Map<string, Samples>();
  errors = 0;
  firstError: string | undefined;

  constructor(private readonly spec: ReaderSpec) {
    for (const path of spec.paths) this.samples.set(path, new Samples());
  }

  /** Reads for the whole run, then waits (at most drainMs) for the last answers. */
  async run(t: Timing): Promise<void> {
    const from = t.start + t.warmupMs;
    const to = from + t.durationMs;
    const period = 1000 / this.spec.rate;
    const total = Math.round(((t.warmupMs + t.durationMs) / 1000) * this.spec.rate);
    let k = 0;
    let pending = 0;
    await new Promise<void>((resolve) => {
      const ticker = startTicker(t.start, period, total, () => {
        const due = Math.min(total, Math.floor((monoMs() - t.start) / period) + 1);
        for (; k < due; k++) {
          const at = t.start + k * period;
          const path = this.spec.paths[k % this.spec.paths.length]!;
          pending++;
          this.get(path).then((ok) => {
            pending--;
            if (ok && at >= from && at < to) this.samples.get(path)!.push(monoMs() - at);
          });
        }
        if (k >= total) void ticker.stop().then(() => resolve());
      });
    });
    const deadline = monoMs() + t.drainMs;
    while (pending > 0 && monoMs() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.agent.destroy();
  }

  /** One GET; resolves true on 200 once the whole answer has arrived. */
  private get(path: string): Promise<boolean> {
    return new Promise((resolve) => {
      const fail = (why: string) => {
        this.errors++;
        this.firstError ??= `${path}: ${why}`;
        resolve(false);
      };
      const req = request(
        new URL(path, this.spec.base),
        { agent: this.agent, headers: { authorization: `Bearer ${this.spec.token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 200) resolve(true);
            else fail(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`);
          });
        },
      );
      req.on('error', (err) => fail(err.message));
      req.end();
    });
  }
}
