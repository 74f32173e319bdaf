// Builds the `huddle` command as one pre-built file, dist/src/cli/huddle.cjs, after `tsc` has
// compiled the sources to dist/. Hooks and CLI commands run many times a day: node starts a
// single CommonJS file about as fast as `node -e ''`, while the same code as ES modules costs one
// file read, parse and link per module plus the ES module loader itself.
//
// The file sits next to dist/src/cli/main.js so that what stays outside it resolves the same way:
// `huddle serve` (the hub: its web server, database driver and worker thread) is imported from
// the compiled modules, and packages from node_modules are required as usual.

import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/src/cli/huddle.cjs';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Dependencies load from node_modules at run time, and only by the commands that need them.
  packages: 'external',
  // The hub runs as compiled modules, loaded by `huddle serve` alone.
  external: ['./commands/serve.js'],
  // Code that finds files next to itself (import.meta.url) finds them next to this file.
  define: { 'import.meta.url': '__huddle_module_url' },
  banner: {
    js: [
      '// Built by scripts/bundle.mjs from the compiled sources in dist/src; edit those, not this.',
      "const __huddle_module_url = require('node:url').pathToFileURL(__filename).href;",
    ].join('\n'),
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
