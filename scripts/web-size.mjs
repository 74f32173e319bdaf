// Prints the cockpit's JavaScript size, raw and gzipped, from dist/web (the first load is every
// script index.html pulls in; the cockpit has no lazy chunks). Exits 1 over the 150 KB budget.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = 'dist/web/assets';
const budget = 150 * 1024;
let raw = 0;
let gz = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
  const b = readFileSync(join(dir, f));
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`cockpit JavaScript: ${kb(raw)} raw, ${kb(gz)} gzipped (budget ${kb(budget)})`);
if (gz > budget) process.exit(1);
