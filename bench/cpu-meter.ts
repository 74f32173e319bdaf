// Who used the CPU during a measurement: the server, this process (the load generator, with the
// children it has reaped), and every other process on the machine, in cores (1 = one core busy).
// Reads /proc, so Linux only.

import { readFileSync } from 'node:fs';

export interface CpuShares {
  /** The server process (a hub or the bare reference server); undefined without one. */
  server: number | undefined;
  /** This process plus its children that exited meanwhile (the CLI runs) and the load generators. */
  self: number | undefined;
  /** Busy time of the whole machine minus the server and this process; undefined off Linux. */
  others: number | undefined;
  /** The wall time measured, in seconds. */
  seconds: number;
}

export interface CpuMeter {
  /** Ends the measurement; later calls return the first answer. */
  stop(): CpuShares;
}

const TICK = 1 / 100; // seconds per clock tick (CLK_TCK) on Linux

/**
 * Starts measuring; `serverPid` is the process under load, if it is not this one; `loadPids` are
 * load-generator processes still running, counted with this one as the load generator.
 */
export function startCpuMeter(serverPid?: number, loadPids: readonly number[] = []): CpuMeter {
  const t0 = performance.now();
  const loadTicks = () => {
    let sum = processTicks('self', true);
    for (const pid of loadPids) {
      const ticks = processTicks(pid);
      sum = sum === undefined || ticks === undefined ? undefined : sum + ticks;
    }
    return sum;
  };
  const self0 = loadTicks();
  const server0 = serverPid === undefined ? undefined : processTicks(serverPid);
  const machine0 = machineBusyTicks();
  let result: CpuShares | undefined;
  return {
    stop() {
      if (result) return result;
      const seconds = (performance.now() - t0) / 1000;
      const self1 = loadTicks();
      const self =
        self0 === undefined || self1 === undefined ? undefined : ((self1 - self0) * TICK) / seconds;
      const server1 = serverPid === undefined ? undefined : processTicks(serverPid);
      const server =
        server0 === undefined || server1 === undefined
          ? undefined
          : ((server1 - server0) * TICK) / seconds;
      const machine1 = machineBusyTicks();
      const machine =
        machine0 === undefined || machine1 === undefined
          ? undefined
          : ((machine1 - machine0) * TICK) / seconds;
      const others =
        machine === undefined ||
        self === undefined ||
        (serverPid !== undefined && server === undefined)
          ? undefined
          : Math.max(0, machine - (server ?? 0) - self);
      result = { server, self, others, seconds };
      return result;
    },
  };
}

/** "85% / 30% / 2%": server / load generator / other processes, as shares of one core. */
export function formatShares(s: CpuShares): string {
  const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v * 100)}%`);
  return `${pct(s.server)} / ${pct(s.self)} / ${pct(s.others)}`;
}

/**
 * utime + stime of one process from /proc/<pid>/stat fields 14 and 15, plus, with `children`,
 * cutime + cstime (fields 16 and 17: the children it has waited for).
 */
function processTicks(pid: number | 'self', children = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return f[11]! + f[12]! + (children ? f[13]! + f[14]! : 0);
  } catch {
    return undefined;
  }
}

/** Busy ticks of all cores together: user, nice, system, irq and softirq from /proc/stat. */
function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq!;
  } catch {
    return undefined;
  }
}
