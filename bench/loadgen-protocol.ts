// What the benchmark and its load-generator processes (bench/loadgen.ts) say to each other over
// IPC, the clock they share, and the message body that carries a message's identity and send time.

/**
 * Milliseconds on the machine's monotonic clock. Unlike performance.now(), whose origin is each
 * process's start, every process reads the same clock, so a time written into a message by one
 * process can be subtracted from a time read in another.
 */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** One sending agent on its own WebSocket. `id` is unique across every generator of a run. */
export interface SenderSpec {
  id: number;
  room: string;
  agent: string;
  token: string;
  /** The recipient agent. */
  to: string;
}

/** One WebSocket that follows `room` (bound to `agent` when given) from `after`. */
export interface ReceiverSpec {
  room: string;
  agent?: string | undefined;
  token: string;
  after: number;
}

/** Connections that authenticate (Authorization header), optionally follow a room, then idle. */
export interface IdleSpec {
  count: number;
  token: string;
  /** Followed, unbound, when given; the connection is counted once `subscribed` arrives. */
  rooms?: string[] | undefined;
}

/** Open-loop HTTP GETs at `rate` per second, taking `paths` in turn. */
export interface ReaderSpec {
  base: string;
  token: string;
  paths: string[];
  rate: number;
}

export type Pacing =
  /** Open loop: `rate` messages a second in all, message k from sender k mod n at start + k/rate. */
  | { kind: 'open'; rate: number }
  /** Closed loop: each sender keeps `window` sends unanswered, sending the next on each answer. */
  | { kind: 'closed'; window: number };

export interface LoadgenConfig {
  /** ws://host:port/v1/stream */
  stream: string;
  senders: SenderSpec[];
  pacing: Pacing;
  /** Send an `idempotency_key` with every message, as HubClient does. */
  idempotency: boolean;
  /** Bytes of filler text after the body's header, for a realistic size. */
  padBytes: number;
  receivers: ReceiverSpec[];
  idle?: IdleSpec | undefined;
  readers?: ReaderSpec | undefined;
  /** Sockets opened at once while connecting. */
  connectConcurrency: number;
}

export interface Timing {
  /** monoMs() at which sending starts. */
  start: number;
  warmupMs: number;
  durationMs: number;
  /** After the last send: how long to wait for answers, then for deliveries. */
  drainMs: number;
}

/** A message's state at its sender, indexed by the sender's message number. */
export const NOT_SENT = 0;
export const UNANSWERED = 1;
export const ACKED = 2;
export const REFUSED = 3;

export interface SenderOutcome {
  id: number;
  room: string;
  /** Messages whose time had come (open loop) or that were sent (closed loop). */
  scheduled: number;
  /** One of NOT_SENT, UNANSWERED, ACKED, REFUSED per message number. */
  status: Uint8Array;
  firstRefusal: string | undefined;
}

export interface ReceiverOutcome {
  room: string;
  /** Per sender id: 1 for each message number received. */
  seen: Map<number, Uint8Array>;
  duplicates: number;
  /** Events whose seq was not above the previous event's. */
  seqViolations: number;
  /** Messages whose number was not above the previous one's from the same sender. */
  senderOrderViolations: number;
  /** Subscribed and still open when the run ended. */
  open: boolean;
}

export interface Disconnect {
  role: 'sender' | 'receiver' | 'idle';
  code: number;
  reason: string;
}

export interface LoadgenResult {
  receivers: ReceiverOutcome[];
  /** Scheduled (or sent) time to receipt, for messages scheduled inside the measured window. */
  delivery: Float64Array;
  /** Scheduled (or sent) time to its `sent` frame, likewise. */
  ack: Float64Array;
  /** Open loop: how late each measured send left after its scheduled time (the generator's own error). */
  lateness: Float64Array;
  /** `message` events received (any receiver) inside the window, by time of receipt. */
  deliveredInWindow: number;
  /** `sent` frames received inside the window, by time of receipt. */
  ackedInWindow: number;
  disconnects: Disconnect[];
  /** Per reader path: scheduled time to the end of the answer, inside the window. */
  reads: Record<string, Float64Array>;
  readErrors: number;
  firstReadError: string | undefined;
}

export interface IdleOutcome {
  /** Idle connections open (and subscribed, when asked) at the end. */
  open: number;
  disconnects: Disconnect[];
}

export type ToLoadgen =
  | { type: 'config'; config: LoadgenConfig }
  | { type: 'go'; timing: Timing }
  /** Per sender: its room and the messages it got acknowledged, which receivers then wait for. */
  | { type: 'expect'; acked: Array<{ id: number; room: string; status: Uint8Array }> }
  | { type: 'stop' };

export type FromLoadgen =
  | { type: 'ready'; idleOpen: number }
  | { type: 'sent'; senders: SenderOutcome[] }
  | { type: 'result'; result: LoadgenResult }
  | { type: 'stopped'; idle: IdleOutcome }
  | { type: 'failed'; message: string };

/** The body of benchmark message `n` of sender `sender`, scheduled at `t` (monoMs). */
export function encodeBody(sender: number, n: number, t: number, pad: string): string {
  return `hb|${sender}|${n}|${t.toFixed(4)}|${pad}`;
}

/** The fields of a body made by encodeBody, or undefined for any other text. */
export function decodeBody(body: string): { sender: number; n: number; t: number } | undefined {
  if (!body.startsWith('hb|')) return undefined;
  const parts = body.split('|', 4);
  if (parts.length < 4) return undefined;
  return { sender: Number(parts[1]), n: Number(parts[2]), t: Number(parts[3]) };
}

/** A byte per index that grows as needed: message states and receipts by message number. */
export class Flags {
  bytes = new Uint8Array(256);
  get(i: number): number {
    return i < this.bytes.length ? this.bytes[i]! : 0;
  }
  set(i: number, value: number): void {
    if (i >= this.bytes.length) {
      let size = this.bytes.length;
      while (size <= i) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[i] = value;
  }
}

/** A growable array of samples, handed over as one Float64Array. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
