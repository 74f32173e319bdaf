#!/usr/bin/env node
// The `huddle` command.

import { processIO, runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), processIO());
