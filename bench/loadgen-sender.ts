// The sending side of the load generator: one WebSocket per sending agent, `send` frames
// pipelined (never waiting for `sent` before the next, except for the closed loop's window), each
// body stamped with its scheduled time so latency counts from when the message was due, not from
// when a busy generator got round to it.

import WebSocket from 'ws';
import {
  ACKED,
  encodeBody,
  Flags,
  monoMs,
  NOT_SENT,
  REFUSED,
  Samples,
  UNANSWERED,
  type Disconnect,
  type LoadgenConfig,
  type SenderOutcome,
  type SenderSpec,
  type Timing,
} from './loadgen-protocol.js';
import { startTicker, type Ticker } from './loadgen-ticker.js';
import { mapLimit, openSocket } from './loadgen-socket.js';

/** How the hub (and the relay) begin a `sent` frame, up to the ref's value. */
const SENT = Buffer.from('{"type":"sent","ref":"');

interface Sender {
  spec: SenderSpec;
  ws: WebSocket;
  status: Flags;
  /** Scheduled (open loop) or sent (closed loop) time of each message number, in monoMs. */
  times: Float64Array;
  /** The next message number: also how many were scheduled. */
  next: number;
  unanswered: number;
  closed: boolean;
  firstRefusal: string | undefined;
}

export class SenderGroup {
  private senders: Sender[] = [];
  private ticker: Ticker | undefined;
  private closing = false;
  readonly ack = new Samples();
  readonly lateness = new Samples();
  ackedInWindow = 0;
  private windowFrom = 0;
  private windowTo = 0;
  private readonly pad: string;
  private readonly runId = Math.random().toString(36).slice(2, 10);

  constructor(
    private readonly config: LoadgenConfig,
    private readonly disconnects: Disconnect[],
  ) {
    this.pad = 'x'.repeat(config.padBytes);
  }

  async connect(): Promise<void> {
    this.senders = await mapLimit(this.config.senders, this.config.connectConcurrency, (spec) =>
      openSocket(this.config.stream, spec.token).then((ws) => {
        const s: Sender = {
          spec,
          ws,
          status: new Flags(),
          times: new Float64Array(1024),
          next: 0,
          unanswered: 0,
          closed: false,
          firstRefusal: undefined,
        };
        ws.on('message', (data) => this.onAnswer(s, data as Buffer));
        ws.on('close', (code, reason) => {
          s.closed = true;
          if (!this.closing)
            this.disconnects.push({ role: 'sender', code, reason: reason.toString() });
        });
        return s;
      }),
    );
  }

  /** Sends for the whole run, then waits (at most drainMs) for every answer. */
  async run(t: Timing): Promise<SenderOutcome[]> {
    if (this.senders.length === 0) return [];
    this.windowFrom = t.start + t.warmupMs;
    this.windowTo = this.windowFrom + t.durationMs;
    const end = this.windowTo;
    const pacing = this.config.pacing;
    if (pacing.kind === 'open') {
      const period = 1000 / pacing.rate;
      const total = Math.round(((t.warmupMs + t.durationMs) / 1000) * pacing.rate);
      let k = 0;
      await new Promise<void>((resolve) => {
        this.ticker = startTicker(t.start, period, total, () => {
          const now = monoMs();
          const due = Math.min(total, Math.floor((now - t.start) / period) + 1);
          for (; k < due; k++) {
            const at = t.start + k * period;
            this.send(this.senders[k % this.senders.length]!, at);
            if (at >= this.windowFrom && at < this.windowTo) this.lateness.push(monoMs() - at);
          }
          if (k >= total) resolve();
        });
      });
      await this.ticker!.stop();
    } else {
      await new Promise((r) => setTimeout(r, Math.max(0, t.start - monoMs())));
      for (const s of this.senders) for (let i = 0; i < pacing.window; i++) this.send(s, monoMs());
      // Answers keep each window full until the end; see onAnswer.
      await new Promise((r) => setTimeout(r, Math.max(0, end - monoMs())));
    }
    const deadline = monoMs() + t.drainMs;
    while (monoMs() < deadline && this.senders.some((s) => s.unanswered > 0 && !s.closed))
      await new Promise((r) => setTimeout(r, 10));
    return this.senders.map((s) => ({
      id: s.spec.id,
      room: s.spec.room,
      scheduled: s.next,
      status: s.status.bytes.slice(0, s.next),
      firstRefusal: s.firstRefusal,
    }));
  }

  /** Message number s.next, due at `at`: sent now, or left NOT_SENT if the socket has closed. */
  private send(s: Sender, at: number): void {
    const n = s.next++;
    if (n >= s.times.length) {
      const grown = new Float64Array(s.times.length * 2);
      grown.set(s.times);
      s.times = grown;
    }
    s.times[n] = at;
    if (s.ws.readyState !== WebSocket.OPEN) return s.status.set(n, NOT_SENT);
    s.status.set(n, UNANSWERED);
    s.unanswered++;
    const frame: Record<string, unknown> = {
      type: 'send',
      room: s.spec.room,
      agent: s.spec.agent,
      message: { to: s.spec.to, kind: 'status', body: encodeBody(s.spec.id, n, at, this.pad) },
      ref: String(n),
    };
    if (this.config.idempotency) frame.idempotency_key = `${this.runId}-${s.spec.id}-${n}`;
    s.ws.send(JSON.stringify(frame));
  }

  private onAnswer(s: Sender, data: Buffer): void {
    const now = monoMs();
    // `sent` frames carry the whole message: read the ref from the bytes, parse anything else.
    const isSent =
      data.length > SENT.length && data.compare(SENT, 0, SENT.length, 0, SENT.length) === 0;
    const frame = !isSent
      ? (JSON.parse(data.toString()) as { type: string; ref?: string; code?: string })
      : {
          type: 'sent',
          ref: data.toString('latin1', SENT.length, data.indexOf(0x22, SENT.length)),
          code: undefined,
        };
    if (frame.type !== 'sent' && frame.type !== 'error') return;
    const n = frame.ref === undefined ? -1 : Number(frame.ref);
    if (!(n >= 0) || s.status.get(n) !== UNANSWERED) {
      s.firstRefusal ??= `unexpected ${frame.type} frame ${frame.code ?? ''} (ref ${frame.ref})`;
      return;
    }
    s.unanswered--;
    if (frame.type === 'error') {
      s.status.set(n, REFUSED);
      s.firstRefusal ??= frame.code;
    } else {
      s.status.set(n, ACKED);
      const at = s.times[n]!;
      if (at >= this.windowFrom && at < this.windowTo) this.ack.push(now - at);
      if (now >= this.windowFrom && now < this.windowTo) this.ackedInWindow++;
    }
    // Closed loop: each answer makes room for the next send, until the window ends.
    if (this.config.pacing.kind === 'closed' && now < this.windowTo) this.send(s, now);
  }

  close(): void {
    this.closing = true;
    for (const s of this.senders) s.ws.close();
  }
}
