// Serves the cockpit's built files (dist/web) with a strict Content-Security-Policy: hashed
// assets cached for good, the page and service worker never, and any other page path answered
// with the app's index.html, which routes on the client.

import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Hono } from 'hono';
import type { Env } from './app.js';

/** No inline script or style, nothing from elsewhere, never framed. */
export const COCKPIT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Paths that belong to the API, never to the page. */
const API = /^\/(v1|mcp|healthz|readyz)(\/|$)/;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': COCKPIT_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>huddle</title>
<h1>The cockpit is not built</h1><p>Run <code>npm run build</code> in the huddle checkout, then reload.</p></html>`;

/** Registers GET and HEAD for the page's files under `root` (the Vite build's output). */
export function registerWebAssets(app: Hono<Env>, root: string): void {
  /** The build's files once read; only files that exist, so any path asked for costs no memory. */
  const cache = new Map<string, Buffer>();
  const base = normalize(root + sep);

  async function file(relative: string): Promise<Buffer | null> {
    const cached = cache.get(relative);
    if (cached) return cached;
    const full = normalize(join(base, relative));
    // A path that climbs out of the build, or names a hidden file, is not the page's.
    if (!full.startsWith(base) || relative.split('/').some((s) => s.startsWith('.'))) return null;
    const data = await readFile(full).catch(() => null);
    if (data) cache.set(relative, data);
    return data;
  }

  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    if (API.test(path) || path.split('/').some((s) => s.startsWith('.'))) return next();
    const wanted = path === '/' ? 'index.html' : path.slice(1);
    let name = wanted;
    let data = await file(wanted);
    // Page paths (no extension: /join, /open, /rooms/x) are the app's, which reads the URL.
    if (data === null && (extname(wanted) === '' || wanted === 'index.html')) {
      name = 'index.html';
      data = await file(name);
      if (data === null) {
        return c.html(NOT_BUILT, 503, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' });
      }
    }
    if (data === null) return next();
    const immutable = name.startsWith('assets/');
    return c.body(new Uint8Array(data), 200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[extname(name)] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  });
}
