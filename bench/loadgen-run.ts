// The benchmark's side of the load generators: forks bench/loadgen.js processes, runs them in step
// (ready, go, what was sent, what to expect, results), measures CPU over the window, and merges
// their reports into one outcome with the checks every run makes: nothing lost, nothing
// delivered twice, per-room and per-sender order, no disconnect.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCpuMeter, type CpuMeter, type CpuShares } from './cpu-meter.js';
import {
  ACKED,
  monoMs,
  NOT_SENT,
  REFUSED,
  UNANSWERED,
  type Disconnect,
  type FromLoadgen,
  type IdleOutcome,
  type LoadgenConfig,
  type LoadgenResult,
  type SenderOutcome,
  type Timing,
  type ToLoadgen,
} from './loadgen-protocol.js';
import { tail, type Tail } from './stats.js';

const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));

export interface Loadgen {
  pid: number;
  /** Idle connections it opened and had served. */
  idleOpen: number;
  send(message: ToLoadgen): void;
  /** The next message of `type`; rejects when the generator fails or exits first. */
  next<T extends FromLoadgen['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FromLoadgen, { type: T }>>;
  /** Closes its sockets, returns what its idle connections saw, and waits for it to exit. */
  stop(): Promise<IdleOutcome>;
}

/** Forks one generator with `config` and resolves once every socket of it is open. */
export async function startLoadgen(config: LoadgenConfig): Promise<Loadgen> {
  const child: ChildProcess = fork(LOADGEN, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: FromLoadgen[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  child.on('message', (m: FromLoadgen) => {
    inbox.push(m);
    wake?.();
  });
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      wake?.();
      resolve();
    }),
  );
  const next: Loadgen['next'] = async (type, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'failed');
      if (i >= 0) {
        const m = inbox.splice(i, 1)[0]!;
        if (m.type === 'failed') throw new Error(`load generator failed: ${m.message}`);
        return m as never;
      }
      if (exited) throw new Error(`load generator exited before "${type}"`);
      if (Date.now() > deadline) throw new Error(`load generator: no "${type}" in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
      wake = undefined;
    }
  };
  const send = (message: ToLoadgen) => {
    if (!exited) child.send(message);
  };
  send({ type: 'config', config });
  let ready: { idleOpen: number };
  try {
    ready = await next('ready', 180_000);
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    pid: child.pid!,
    idleOpen: ready.idleOpen,
    send,
    next,
    async stop() {
      send({ type: 'stop' });
      let outcome: IdleOutcome = { open: 0, disconnects: [] };
      try {
        outcome = (await next('stopped', 30_000)).idle;
      } catch {
        child.kill();
      }
      await exit;
      return outcome;
    },
  };
}

/** Everything one run measured, merged over its generators. */
export interface RunOutcome {
  /** Messages whose time came (open loop) or that were sent (closed loop). */
  scheduled: number;
  acked: number;
  refused: number;
  /** Sent, but neither `sent` nor `error` came back (the connection closed first, or drain ended). */
  unanswered: number;
  /** Due, but their sender's connection had closed. */
  notSent: number;
  firstRefusal: string | undefined;
  /** Deliveries owed: for each receiver, every message scheduled in its room. */
  owed: number;
  /** Distinct messages received, summed over receivers. */
  delivered: number;
  /** Owed but not received by the end of the drain. */
  lost: number;
  /** How long, after the last send, answers and then deliveries were waited for. */
  drainMs: number;
  /** Of the lost: acknowledged ones (a broken promise, not just a dropped connection). */
  lostAfterAck: number;
  duplicates: number;
  seqViolations: number;
  senderOrderViolations: number;
  disconnects: Disconnect[];
  delivery: Tail;
  ack: Tail;
  /** Open loop: the generator's own lateness in sending. */
  lateness: Tail;
  deliveredPerSecond: number;
  ackedPerSecond: number;
  cpu: CpuShares | undefined;
  /** The server's CPU time in the window over the deliveries in it, in ms. */
  cpuMsPerDelivery: number;
  reads: Record<string, Tail>;
  readErrors: number;
  firstReadError: string | undefined;
}

export interface RunTiming {
  warmupMs: number;
  durationMs: number;
  drainMs: number;
}

/** Runs `gens` together against the server `serverPid` and merges what they measured. */
export async function runLoad(
  gens: Loadgen[],
  timing: RunTiming,
  serverPid: number | undefined,
): Promise<RunOutcome> {
  // A common start a little ahead, so every generator begins at the same moment.
  const t: Timing = { start: monoMs() + 200, ...timing };
  for (const g of gens) g.send({ type: 'go', timing: t });
  const cpu = measureWindow(t, serverPid, gens);
  const runMs = 200 + timing.warmupMs + timing.durationMs + timing.drainMs + 60_000;
  const sent = (await Promise.all(gens.map((g) => g.next('sent', runMs)))).flatMap(
    (m) => m.senders,
  );
  const acked = sent.map((s) => ({ id: s.id, room: s.room, status: s.status }));
  for (const g of gens) g.send({ type: 'expect', acked });
  const results = (
    await Promise.all(gens.map((g) => g.next('result', timing.drainMs + 60_000)))
  ).map((m) => m.result);
  return merge(sent, results, await cpu, timing);
}

/** CPU shares over exactly the measured window. */
function measureWindow(
  t: Timing,
  serverPid: number | undefined,
  gens: Loadgen[],
): Promise<CpuShares | undefined> {
  return new Promise((resolve) => {
    let meter: CpuMeter | undefined;
    setTimeout(
      () => {
        meter = startCpuMeter(
          serverPid,
          gens.map((g) => g.pid),
        );
        setTimeout(() => resolve(meter!.stop()), t.durationMs);
      },
      Math.max(0, t.start + t.warmupMs - monoMs()),
    );
  });
}

function merge(
  senders: SenderOutcome[],
  results: LoadgenResult[],
  cpu: CpuShares | undefined,
  { durationMs, drainMs }: RunTiming,
): RunOutcome {
  const count = (status: Uint8Array, value: number) =>
    status.reduce((n, v) => n + +(v === value), 0);
  const receivers = results.flatMap((r) => r.receivers);
  let owed = 0;
  let delivered = 0;
  let lostAfterAck = 0;
  for (const r of receivers) {
    for (const s of senders) {
      if (s.room !== r.room) continue;
      const seen = r.seen.get(s.id);
      owed += s.scheduled;
      for (let n = 0; n < s.scheduled; n++) {
        if (seen && seen[n]) delivered++;
        else if (s.status[n] === ACKED) lostAfterAck++;
      }
    }
  }
  const deliveredInWindow = results.reduce((n, r) => n + r.deliveredInWindow, 0);
  const reads: Record<string, Tail> = {};
  for (const path of Object.keys(results.find((r) => Object.keys(r.reads).length)?.reads ?? {}))
    reads[path] = tail(...results.map((r) => r.reads[path] ?? new Float64Array()));
  const serverCpuMs = cpu?.server === undefined ? Number.NaN : cpu.server * cpu.seconds * 1000;
  return {
    scheduled: senders.reduce((n, s) => n + s.scheduled, 0),
    acked: senders.reduce((n, s) => n + count(s.status, ACKED), 0),
    refused: senders.reduce((n, s) => n + count(s.status, REFUSED), 0),
    unanswered: senders.reduce((n, s) => n + count(s.status, UNANSWERED), 0),
    notSent: senders.reduce((n, s) => n + count(s.status, NOT_SENT), 0),
    firstRefusal: senders.find((s) => s.firstRefusal)?.firstRefusal,
    owed,
    delivered,
    lost: owed - delivered,
    drainMs,
    lostAfterAck,
    duplicates: receivers.reduce((n, r) => n + r.duplicates, 0),
    seqViolations: receivers.reduce((n, r) => n + r.seqViolations, 0),
    senderOrderViolations: receivers.reduce((n, r) => n + r.senderOrderViolations, 0),
    disconnects: results.flatMap((r) => r.disconnects),
    delivery: tail(...results.map((r) => r.delivery)),
    ack: tail(...results.map((r) => r.ack)),
    lateness: tail(...results.map((r) => r.lateness)),
    deliveredPerSecond: deliveredInWindow / (durationMs / 1000),
    ackedPerSecond: results.reduce((n, r) => n + r.ackedInWindow, 0) / (durationMs / 1000),
    cpu,
    cpuMsPerDelivery: serverCpuMs / deliveredInWindow,
    reads,
    readErrors: results.reduce((n, r) => n + r.readErrors, 0),
    firstReadError: results.find((r) => r.firstReadError)?.firstReadError,
  };
}
