// What the numbers were measured on: CPU, cores, memory, node, kernel, the disk under tmpdir, and
// how busy the machine already was.

import { readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  node: string;
  kernel: string;
  /** The filesystem holding the temporary directories the hubs write to. */
  disk: string;
  /** The 1-minute load average: above 0 means other work shared the cores. */
  load: number;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    kernel: `${osType()} ${release()}`,
    disk: tmpdirMount(),
    load: loadavg()[0]!,
  };
}

/** "ext4 on /dev/vda (/)" for the mount that holds tmpdir, from /proc/mounts; Linux only. */
function tmpdirMount(): string {
  const dir = realpathSync(tmpdir());
  try {
    let best: { device: string; point: string; fs: string } | undefined;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, point, fs] = line.split(' ');
      if (!device || !point || !fs) continue;
      const inside = dir === point || dir.startsWith(point.endsWith('/') ? point : `${point}/`);
      if (inside && (!best || point.length >= best.point.length)) best = { device, point, fs };
    }
    return best ? `${dir}: ${best.fs} on ${best.device} (mounted at ${best.point})` : dir;
  } catch {
    return dir;
  }
}

export function renderMachine(m: Machine): string {
  return [
    `cpu:    ${m.cpu}`,
    `cores:  ${m.cores}`,
    `memory: ${m.memory}`,
    `node:   ${m.node}`,
    `kernel: ${m.kernel}`,
    `disk:   ${m.disk}`,
    `load:   ${m.load.toFixed(2)} (1-minute load average before the run)`,
  ].join('\n');
}
