// The `huddle` command as installed (dist/src/cli/huddle.cjs): runs the pre-built command,
// huddle-code.cjs, from the V8 code cache that the build made for it. Compiling the file and the
// functions a hook runs costs a hook about a third of node's own start; with the cache V8 skips
// both. A cache that does not fit this node (another version or V8 flags) is rejected by V8 and
// the file is compiled as usual, so the cache changes how fast the command starts, never what it
// does. Node 22 offers this as module.enableCompileCache(); node 20 does not.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module = require('node:module');
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const file = join(__dirname, 'huddle-code.cjs');
const cacheFile = `${file}.cache`;

let cachedData: Buffer | undefined;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build that made none): compile as usual.
}
const source = readFileSync(file, 'utf8');
// A wrapped file cannot start with "#!": keep the line, as a comment, so line numbers hold.
const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
const script = new Script(Module.wrap(body), {
  filename: file,
  cachedData,
});
// Node 20 runs no import() in a vm script without an experimental flag, so the command's import()
// calls (`huddle serve`, node:https, the MCP SDK) come here, as the build rewrote them, and load
// as from the file.
(globalThis as Record<symbol, unknown>)[Symbol.for('huddle.import')] = (specifier: string) =>
  import(specifier.startsWith('.') ? pathToFileURL(join(__dirname, specifier)).href : specifier);

// The build runs the command once with this set, then keeps what V8 compiled for the next runs.
if (process.env.HUDDLE_WRITE_CODE_CACHE === '1') {
  process.once('exit', () => {
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
}

const compiled = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;
const code = new Module(file, module);
code.filename = file;
compiled.call(code.exports, code.exports, Module.createRequire(file), code, file, __dirname);
