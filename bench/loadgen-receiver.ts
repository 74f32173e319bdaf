// The receiving side of the load generator: WebSockets that follow a room and check, for every
// benchmark message, that it arrives exactly once, in the room's seq order and in its sender's
// order, and how long after its scheduled time.

import type WebSocket from 'ws';
import {
  ACKED,
  decodeBody,
  Flags,
  monoMs,
  Samples,
  type Disconnect,
  type LoadgenConfig,
  type ReceiverOutcome,
  type ReceiverSpec,
  type Timing,
} from './loadgen-protocol.js';
import { mapLimit, openSocket, request } from './loadgen-socket.js';

interface Receiver {
  spec: ReceiverSpec;
  ws: WebSocket;
  lastSeq: number;
  seen: Map<number, Flags>;
  lastN: Map<number, number>;
  duplicates: number;
  seqViolations: number;
  senderOrderViolations: number;
  open: boolean;
}

interface EventFrame {
  type: string;
  event?: { seq: number; type: string; body: { message?: { body?: string } } };
}

export class ReceiverGroup {
  private receivers: Receiver[] = [];
  private closing = false;
  readonly delivery = new Samples();
  deliveredInWindow = 0;
  private windowFrom = Infinity;
  private windowTo = -Infinity;

  constructor(
    private readonly config: LoadgenConfig,
    private readonly disconnects: Disconnect[],
  ) {}

  /** Opens and subscribes every receiver; resolves once each was answered `subscribed`. */
  async connect(): Promise<void> {
    this.receivers = await mapLimit(
      this.config.receivers,
      this.config.connectConcurrency,
      async (spec) => {
        const ws = await openSocket(this.config.stream, spec.token);
        const r: Receiver = {
          spec,
          ws,
          lastSeq: spec.after,
          seen: new Map(),
          lastN: new Map(),
          duplicates: 0,
          seqViolations: 0,
          senderOrderViolations: 0,
          open: true,
        };
        ws.on('close', (code, reason) => {
          r.open = false;
          if (!this.closing)
            this.disconnects.push({ role: 'receiver', code, reason: reason.toString() });
        });
        // Listening before subscribing: the backlog follows `subscribed` at once.
        ws.on('message', (data) => this.onFrame(r, data as Buffer));
        await request(ws, {
          type: 'subscribe',
          room: spec.room,
          after: spec.after,
          ...(spec.agent ? { agent: spec.agent } : {}),
          ref: 'subscribe',
        });
        return r;
      },
    );
  }

  start(t: Timing): void {
    this.windowFrom = t.start + t.warmupMs;
    this.windowTo = this.windowFrom + t.durationMs;
  }

  private onFrame(r: Receiver, data: Buffer): void {
    const at = monoMs();
    let seq: number;
    let id: ReturnType<typeof decodeBody>;
    // Fan-out has the generator read 100,000 frames a second on a 2-core machine beside the
    // server: benchmark messages are read without JSON.parse (see readMessage), the rest parsed.
    const fast = readMessage(data);
    if (fast) ({ seq, id } = fast);
    else {
      const frame = JSON.parse(data.toString()) as EventFrame;
      if (frame.type !== 'event' || !frame.event) return;
      seq = frame.event.seq;
      id =
        frame.event.type === 'message'
          ? decodeBody(frame.event.body.message?.body ?? '')
          : undefined;
    }
    if (seq <= r.lastSeq) r.seqViolations++;
    r.lastSeq = seq;
    if (!id) return;
    let seen = r.seen.get(id.sender);
    if (!seen) r.seen.set(id.sender, (seen = new Flags()));
    if (seen.get(id.n)) r.duplicates++;
    seen.set(id.n, 1);
    if (id.n <= (r.lastN.get(id.sender) ?? -1)) r.senderOrderViolations++;
    r.lastN.set(id.sender, id.n);
    if (id.t >= this.windowFrom && id.t < this.windowTo) this.delivery.push(at - id.t);
    if (at >= this.windowFrom && at < this.windowTo) this.deliveredInWindow++;
  }

  /** Waits until every receiver has every acknowledged message of its room, or until `deadline`. */
  async await(
    acked: Array<{ id: number; room: string; status: Uint8Array }>,
    deadline: number,
  ): Promise<void> {
    // What is still missing, worked out once and then only shortened.
    let missing: Array<{ r: Receiver; sender: number; n: number }> = [];
    for (const r of this.receivers)
      for (const s of acked) {
        if (s.room !== r.spec.room) continue;
        for (let n = 0; n < s.status.length; n++)
          if (s.status[n] === ACKED) missing.push({ r, sender: s.id, n });
      }
    while (missing.length > 0 && monoMs() < deadline) {
      missing = missing.filter((m) => !m.r.seen.get(m.sender)?.get(m.n) && m.r.open);
      if (missing.length > 0) await new Promise((res) => setTimeout(res, 10));
    }
  }

  outcomes(): ReceiverOutcome[] {
    return this.receivers.map((r) => ({
      room: r.spec.room,
      seen: new Map([...r.seen].map(([id, flags]) => [id, flags.bytes])),
      duplicates: r.duplicates,
      seqViolations: r.seqViolations,
      senderOrderViolations: r.senderOrderViolations,
      open: r.open,
    }));
  }

  close(): void {
    this.closing = true;
    for (const r of this.receivers) r.ws.close();
  }
}

const EVENT = Buffer.from('{"type":"event",');
const MARKER = Buffer.from('"hb|');
const SEQ = Buffer.from('"seq":');

/**
 * The seq and body fields of an `event` frame carrying a benchmark message, read from the bytes:
 * the body is the only string starting with "hb|", and the first "seq" of the frame is the event's
 * (or the message's, which is the same number). Undefined for any other frame.
 */
function readMessage(data: Buffer): { seq: number; id: ReturnType<typeof decodeBody> } | undefined {
  if (data.length < EVENT.length || data.compare(EVENT, 0, EVENT.length, 0, EVENT.length) !== 0)
    return undefined;
  const body = data.indexOf(MARKER);
  const seq = data.indexOf(SEQ);
  if (body < 0 || seq < 0) return undefined;
  let end = body + 1;
  for (let bars = 0; end < data.length && bars < 4; end++) if (data[end] === 0x7c) bars++;
  return {
    seq: Number.parseInt(data.toString('latin1', seq + SEQ.length, seq + SEQ.length + 20), 10),
    id: decodeBody(data.toString('latin1', body + 1, end)),
  };
}
