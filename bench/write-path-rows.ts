// Result rows for the write-path scenarios: latencies with their targets, the checks every run
// makes (nothing lost, nothing twice, in order, no disconnect), throughput and CPU, each with its
// ratio to the bare `ws` relay measured in the same run.

import { formatShares } from './cpu-meter.js';
import type { RunOutcome } from './loadgen-run.js';
import { ms, perSecond } from './stats.js';
import type { Row } from './table.js';

export interface Targets {
  p50?: number;
  p99?: number;
  p999?: number;
  /** Minimum acknowledged and delivered messages per second. */
  rate?: number;
  ackP99?: number;
  /** CPU of the server per delivered message, in ms, and at most this many times the relay's. */
  cpuMs?: number;
  cpuRatio?: number;
}

/** "3.4×": `value` over the relay's `floor`, when both exist. */
export function ratio(value: number, floor: number | undefined): string | undefined {
  if (floor === undefined || !Number.isFinite(value) || !Number.isFinite(floor) || floor <= 0)
    return undefined;
  const r = value / floor;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×`;
}

/** CPU milliseconds with three decimals: a message costs hundredths of a millisecond. */
export function cpuMs(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(3)} ms` : 'n/a';
}

const le = (text: string, value: number, limit: number | undefined) =>
  limit === undefined ? undefined : { text: `≤ ${text}`, met: value <= limit };

/** Delivery latency: p50, p99, p99.9 and max, each with its ratio to the relay's. */
export function latencyRows(
  path: string,
  run: RunOutcome,
  floor: RunOutcome | undefined,
  t: Targets,
  what = 'send→deliver',
): Row[] {
  const d = run.delivery;
  const f = floor?.delivery;
  return [
    {
      path,
      metric: `${what} p50`,
      value: ms(d.p50),
      ratio: ratio(d.p50, f?.p50),
      target: le(ms(t.p50 ?? 0), d.p50, t.p50),
    },
    {
      path,
      metric: `${what} p99`,
      value: ms(d.p99),
      ratio: ratio(d.p99, f?.p99),
      target: le(ms(t.p99 ?? 0), d.p99, t.p99),
    },
    {
      path,
      metric: `${what} p99.9`,
      value: ms(d.p999),
      ratio: ratio(d.p999, f?.p999),
      target: le(ms(t.p999 ?? 0), d.p999, t.p999),
    },
    { path, metric: `${what} max`, value: ms(d.max), ratio: ratio(d.max, f?.max) },
  ];
}

/** The checks of every run: all delivered once, in order, and no connection closed on us. */
export function checkRows(path: string, run: RunOutcome): Row[] {
  const intact =
    run.lost === 0 &&
    run.duplicates === 0 &&
    run.seqViolations === 0 &&
    run.senderOrderViolations === 0;
  const problems = [
    run.lost &&
      `${run.lost.toLocaleString('en-US')} not delivered ${run.drainMs / 1000} s after the end (${run.lostAfterAck.toLocaleString('en-US')} of them acked)`,
    run.duplicates && `${run.duplicates} twice`,
    run.seqViolations && `${run.seqViolations} out of seq order`,
    run.senderOrderViolations && `${run.senderOrderViolations} out of sender order`,
  ].filter(Boolean);
  const codes = [...new Set(run.disconnects.map((d) => `${d.code} ${d.reason}`.trim()))];
  return [
    {
      path,
      metric: 'delivered / owed',
      value:
        `${run.delivered.toLocaleString('en-US')} / ${run.owed.toLocaleString('en-US')}` +
        (problems.length ? `: ${problems.join(', ')}` : ''),
      target: { text: 'none lost, none twice, in order', met: intact },
    },
    {
      path,
      metric: 'disconnects',
      value: run.disconnects.length
        ? `${run.disconnects.length}: ${codes.join('; ').slice(0, 80)}`
        : 'none',
      target: { text: 'none', met: run.disconnects.length === 0 },
    },
  ];
}

/** What the senders saw: acks and refusals, and the ack latency. */
export function ackRows(
  path: string,
  run: RunOutcome,
  floor: RunOutcome | undefined,
  t: Targets,
): Row[] {
  const rows: Row[] = [
    {
      path,
      metric: 'sent: acked / refused / unanswered / not sent',
      value:
        [run.acked, run.refused, run.unanswered, run.notSent]
          .map((n) => n.toLocaleString('en-US'))
          .join(' / ') + (run.firstRefusal ? ` (${run.firstRefusal})` : ''),
    },
    {
      path,
      metric: 'ack p99',
      value: ms(run.ack.p99),
      ratio: ratio(run.ack.p99, floor?.ack.p99),
      target: le(ms(t.ackP99 ?? 0), run.ack.p99, t.ackP99),
    },
  ];
  return rows;
}

/** Acknowledged and delivered messages per second, against a minimum rate. */
export function rateRows(
  path: string,
  run: RunOutcome,
  floor: RunOutcome | undefined,
  t: Targets,
): Row[] {
  const target = (v: number) =>
    t.rate === undefined ? undefined : { text: `≥ ${perSecond(t.rate)}`, met: v >= t.rate };
  return [
    {
      path,
      metric: 'acknowledged messages',
      value: perSecond(run.ackedPerSecond),
      ratio: ratio(run.ackedPerSecond, floor?.ackedPerSecond),
      target: target(run.ackedPerSecond),
    },
    {
      path,
      metric: 'delivered messages',
      value: perSecond(run.deliveredPerSecond),
      ratio: ratio(run.deliveredPerSecond, floor?.deliveredPerSecond),
      target: target(run.deliveredPerSecond),
    },
  ];
}

/** The server's CPU per delivered message and the CPU shares, server / load gen / others. */
export function cpuRows(
  path: string,
  run: RunOutcome,
  floor: RunOutcome | undefined,
  t: Targets,
): Row[] {
  const r = floor ? run.cpuMsPerDelivery / floor.cpuMsPerDelivery : Number.NaN;
  const target =
    t.cpuMs === undefined
      ? undefined
      : {
          text: `≤ ${cpuMs(t.cpuMs)} and ≤ ${t.cpuRatio ?? 2}× relay`,
          met: run.cpuMsPerDelivery <= t.cpuMs && r <= (t.cpuRatio ?? 2),
        };
  return [
    {
      path,
      metric: 'server CPU per delivered message',
      value: cpuMs(run.cpuMsPerDelivery),
      ratio: ratio(run.cpuMsPerDelivery, floor?.cpuMsPerDelivery),
      target,
    },
    {
      path,
      metric: 'CPU: server / load gen / others',
      value: run.cpu ? formatShares(run.cpu) : 'n/a',
    },
  ];
}

/** Sentences for the notes: the generator's own timing error and a busy machine. */
export function runNotes(path: string, run: RunOutcome): string[] {
  const notes: string[] = [];
  if (run.lateness.count > 0 && run.lateness.p99 > 0.5)
    notes.push(
      `${path}: the generator sent late (p99 ${ms(run.lateness.p99)} after the scheduled time); latency counts from the scheduled time, so this lateness is in the figures.`,
    );
  const others = run.cpu?.others;
  if (others !== undefined && others > 0.25)
    notes.push(
      `Warning: other processes kept ${Math.round(others * 100)}% of a core busy during "${path}".`,
    );
  return notes;
}
