// Builds the `huddle` command after `tsc` has compiled the sources to dist/: the command as one
// pre-built file, dist/src/cli/huddle-code.cjs, and the bin, dist/src/cli/huddle.cjs, which runs
// that file from a V8 code cache made here. Hooks and CLI commands run many times a day: node
// starts a single CommonJS file about as fast as `node -e ''`, while the same code as ES modules
// costs one file read, parse and link per module plus the ES module loader itself.
//
// The files sit next to dist/src/cli/main.js so that what stays outside them resolves the same
// way: `huddle serve` (the hub: its web server, database driver and worker thread) and `huddle
// migrate` (both stores) are imported from the compiled modules, and packages from node_modules
// are required as usual.

import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = 'dist/src/cli';
const code = `${dir}/huddle-code.cjs`;
const bin = `${dir}/huddle.cjs`;

await build({
  entryPoints: [`${dir}/main.js`],
  outfile: code,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Dependencies load from node_modules at run time, and only by the commands that need them.
  packages: 'external',
  // The hub runs as compiled modules, loaded by `huddle serve` alone; `huddle migrate` opens both
  // stores, with their drivers, as compiled modules too.
  external: ['./commands/serve.js', './commands/migrate.js'],
  // Code that finds files next to itself (import.meta.url) finds them next to this file.
  define: { 'import.meta.url': '__huddle_module_url' },
  banner: {
    js: [
      '// Built by scripts/bundle.mjs from the compiled sources in dist/src; edit those, not this.',
      "const __huddle_module_url = require('node:url').pathToFileURL(__filename).href;",
      "const __huddle_import = globalThis[Symbol.for('huddle.import')] ?? ((s) => import(s));",
    ].join('\n'),
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Run from the code cache (below), the file is a vm script, where node 20 runs no import(): each
// import("...") that esbuild left goes through the loader's, which node runs as usual. Replaced
// with a function of the loader; lines stay where they were, so the source map still holds.
const built = readFileSync(code, 'utf8');
const rewritten = built.replace(/\bimport\("/g, '__huddle_import("');
writeFileSync(code, rewritten);

await build({
  entryPoints: [`${dir}/code-cache-loader.cjs`],
  outfile: bin,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync(bin, 0o755);

// The code cache: V8 keeps what it compiled during one run of the path that runs most often, a
// PreToolUse hook. The hub it names does not exist (port 9), so the hook only warns.
const home = mkdtempSync(join(tmpdir(), 'huddle-build-'));
try {
  const run = spawnSync(
    process.execPath,
    [bin, 'hook', 'pre-tool-use', '--room', 'build', '--as', 'build'],
    {
      input: JSON.stringify({
        session_id: 'build',
        cwd: home,
        hook_event_name: 'PreToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: join(home, 'a.ts') },
      }),
      env: {
        PATH: process.env.PATH,
        HUDDLE_HOME: home,
        HUDDLE_URL: 'http://127.0.0.1:9',
        HUDDLE_WRITE_CODE_CACHE: '1',
      },
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`making the code cache failed: ${run.stderr}`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
