// What the CLI can learn about the configured hub without starting one: its answer to
// GET /v1/status (with its details when it runs on this machine and this HUDDLE_HOME holds its
// local secret), and this HUDDLE_HOME's pid file.

import type { HubStatus } from '../core/hub-status.js';
import { isLoopbackHost } from '../core/loopback.js';
import { createHubClient } from '../client/hub-client.js';
import type { CliContext } from './context.js';
import { isHubProcess, readHubPid } from './hub-pid.js';
import { readLocalSecret } from './local-hub.js';

export interface HubLook {
  url: string;
  /** The hub's answer, or null when nothing answers at `url`. */
  status: HubStatus | null;
  /** When something answers at `url` but not with a hub status: what it said. */
  unexpected?: string;
  /** When `status` has no local details: why. */
  noDetails?: string;
  /** The pid this HUDDLE_HOME's hub.pid names, and whether that is a live hub. */
  pidFile: { pid: number; live: boolean } | null;
}

/** Whether a URL points at this machine; the local secret is never sent anywhere else. */
export function isLoopbackUrl(url: string): boolean {
  return isLoopbackHost(new URL(url).hostname);
}

export async function lookAtHub(ctx: CliContext): Promise<HubLook> {
  const { url, home } = ctx.config;
  const pid = readHubPid(home);
  const look: HubLook = {
    url,
    status: null,
    pidFile: pid === null ? null : { pid, live: await isHubProcess(pid) },
  };
  const client = createHubClient({ url, timeoutMs: 3000 });
  const secret = isLoopbackUrl(url) ? readLocalSecret(home) : undefined;
  try {
    if (secret === undefined) {
      look.status = await client.status();
      look.noDetails = isLoopbackUrl(url)
        ? `there is no local secret in ${home}`
        : "they are shown only on the hub's own machine";
    } else {
      try {
        look.status = await client.status(secret);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== 'invalid_local_secret' && code !== 'local_status_refused') throw err;
        look.status = await client.status();
        look.noDetails =
          code === 'invalid_local_secret'
            ? `${home} is not this hub's HUDDLE_HOME (its local secret differs)`
            : 'this hub does not take a local secret (it is not bound to loopback)';
      }
    }
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // Nothing answers; or a hub too old for /v1/status, or another server, is on the port.
    if (e.code !== 'hub_unreachable' && e.code !== 'connection_lost')
      look.unexpected = `it answered ${e.code ?? 'an error'}: ${e.message}`;
  }
  return look;
}
