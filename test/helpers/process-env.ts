// What tests that start `huddle` processes of their own need: a free port, and an environment
// free of the caller's HUDDLE_* settings.

import { createServer } from 'node:net';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** This process's environment without any HUDDLE_* variable, plus `extra`. */
export function envWithoutHuddle(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('HUDDLE_')) env[k] = v;
  return { ...env, ...extra };
}
