// huddle status: the hub this machine talks to (the local hub by default): whether it runs, and
// its URL, process, uptime, store, rooms, agents online and version. Exits 1 unless it answers.

import type { Run } from '../registry.js';
import { HUDDLE_VERSION } from '../../core/version.js';
import { lookAtHub } from '../hub-look.js';
import { hubPidPath } from '../hub-pid.js';
import { usesLocalHub } from '../local-hub.js';

/** A duration as people read it: 42 s, 7 min, 3 h 12 min, 2 d 5 h. */
export function formatUptime(seconds: number): string {
  const [d, h, m] = [
    Math.floor(seconds / 86400),
    Math.floor(seconds / 3600) % 24,
    Math.floor(seconds / 60) % 60,
  ];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${seconds} s`;
}

export const run: Run = async (ctx) => {
  const look = await lookAtHub(ctx);
  const { status, pidFile } = look;
  const local = usesLocalHub(ctx);
  const starting = status === null && pidFile?.live === true;
  ctx.print(
    {
      url: look.url,
      running: status !== null,
      starting,
      ...(look.unexpected !== undefined && { unexpected: look.unexpected }),
      hub: status,
      pid_file: pidFile,
      cli_version: HUDDLE_VERSION,
    },
    () => {
      if (status === null) {
        const lines = [
          look.unexpected
            ? `${look.url} is not a huddle hub, or one too old to report its status: ${look.unexpected}`
            : starting
              ? `The hub at ${look.url} is starting (pid ${pidFile!.pid}) and does not answer yet.`
              : `No hub answers at ${look.url}.${local ? ' The local hub starts on first use, or with "huddle serve".' : ''}`,
        ];
        if (pidFile && !pidFile.live)
          lines.push(
            `${hubPidPath(ctx.config.home)} names pid ${pidFile.pid}, which is not a running hub (stale).`,
          );
        return lines.join('\n') + '\n';
      }
      const version =
        status.version === HUDDLE_VERSION
          ? status.version
          : `${status.version} (this huddle command: ${HUDDLE_VERSION})`;
      const rows: Array<[string, string]> = [['Hub', `${look.url} (running)`]];
      if (status.local) {
        const pid = status.local.pid === null ? 'unknown' : String(status.local.pid);
        rows.push(['Process', `pid ${pid}, up ${formatUptime(status.uptime_seconds)}`]);
        rows.push(['Store', status.local.store ?? 'unknown']);
        rows.push(['Rooms', String(status.local.rooms)]);
        rows.push(['Agents', `${status.local.agents_online} online`]);
      } else {
        rows.push(['Uptime', formatUptime(status.uptime_seconds)]);
      }
      rows.push(['Version', version]);
      const text = rows.map(([k, v]) => `${k.padEnd(9)}${v}`).join('\n') + '\n';
      return status.local
        ? text
        : `${text}(Process, store, rooms and agents are not shown: ${look.noDetails}.)\n`;
    },
  );
  return status === null ? 1 : 0;
};
