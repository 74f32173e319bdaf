#!/usr/bin/env node
// The `huddle` command. Built into one file, dist/src/cli/huddle.cjs (scripts/bundle.mjs), so no
// top-level await here: a CommonJS file cannot hold one.

import { processIO, runCli } from './run-cli.js';

void runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
