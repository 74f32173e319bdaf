// One load scenario, described once and run unchanged against the hub or the relay: rooms, who
// sends and who follows in each, the pacing, and how the sockets are spread over generator
// processes.

import {
  prepareRooms,
  startTarget,
  type BenchRoom,
  type BenchTarget,
  type TargetKind,
} from './bench-target.js';
import type {
  LoadgenConfig,
  Pacing,
  ReaderSpec,
  ReceiverSpec,
  SenderSpec,
} from './loadgen-protocol.js';
import { runLoad, startLoadgen, type RunOutcome, type RunTiming } from './loadgen-run.js';

export interface Scenario {
  /** Room names are `<prefix>-<i>`. */
  prefix: string;
  rooms: number;
  sendersPerRoom: number;
  receiversPerRoom: number;
  /** Receivers bound to the agent "receiver" (which records `delivered` receipts), or plain followers. */
  bound: boolean;
  /** For open loop, the rate of the whole scenario (split evenly over the sender processes). */
  pacing: Pacing;
  /** Generator processes holding the senders, and those holding the receivers; 0 receiver processes puts the receivers with the senders. */
  senderProcesses: number;
  receiverProcesses: number;
  /** Open-loop reads in a process of their own, given the rooms. */
  readers?: ((rooms: BenchRoom[], target: BenchTarget) => ReaderSpec) | undefined;
}

/** A body of about 130 bytes: a short status line, as agents send. */
const PAD_BYTES = 100;

/** Sets up the scenario's rooms on `target`, runs the load and stops the generators. */
export async function runScenario(
  target: BenchTarget,
  s: Scenario,
  timing: RunTiming,
): Promise<RunOutcome> {
  const senderAgents = Array.from({ length: s.sendersPerRoom }, (_, i) =>
    s.sendersPerRoom === 1 ? 'sender' : `sender-${i}`,
  );
  const rooms = await prepareRooms(target, s.prefix, s.rooms, [...senderAgents, 'receiver']);
  const senders: SenderSpec[] = [];
  const receivers: ReceiverSpec[] = [];
  for (const room of rooms) {
    for (const agent of senderAgents)
      senders.push({
        id: senders.length,
        room: room.name,
        agent,
        token: room.token,
        to: 'receiver',
      });
    for (let i = 0; i < s.receiversPerRoom; i++)
      receivers.push({
        room: room.name,
        agent: s.bound ? 'receiver' : undefined,
        token: room.token,
        after: room.cursor,
      });
  }
  const base = (): LoadgenConfig => ({
    stream: target.stream,
    senders: [],
    pacing:
      s.pacing.kind === 'open'
        ? { kind: 'open', rate: s.pacing.rate / s.senderProcesses }
        : s.pacing,
    idempotency: true,
    padBytes: PAD_BYTES,
    receivers: [],
    connectConcurrency: 50,
  });
  const configs = Array.from({ length: s.senderProcesses + s.receiverProcesses }, base);
  senders.forEach((spec, i) => configs[i % s.senderProcesses]!.senders.push(spec));
  receivers.forEach((spec, i) =>
    s.receiverProcesses === 0
      ? configs[i % s.senderProcesses]!.receivers.push(spec)
      : configs[s.senderProcesses + (i % s.receiverProcesses)]!.receivers.push(spec),
  );
  // A fleet spreads the generator processes over its hubs.
  configs.forEach((config, i) => {
    const list = i < s.senderProcesses ? target.streams?.senders : target.streams?.receivers;
    if (list)
      config.stream = list[(i < s.senderProcesses ? i : i - s.senderProcesses) % list.length]!;
  });
  if (s.readers) configs.push({ ...base(), readers: s.readers(rooms, target) });

  const gens = [];
  try {
    for (const config of configs) gens.push(await startLoadgen(config));
    return await runLoad(gens, timing, target.pid);
  } finally {
    await Promise.all(gens.map((g) => g.stop()));
  }
}

/** Runs `scenario` against a fresh relay or hub (with `env`), then stops it. */
export async function against(
  kind: TargetKind,
  scenario: Scenario,
  timing: RunTiming,
  env: Record<string, string> = {},
): Promise<RunOutcome> {
  const target = await startTarget(kind, env);
  try {
    return await runScenario(target, scenario, timing);
  } finally {
    await target.stop();
  }
}
