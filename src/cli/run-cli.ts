// runCli: parses the command line, loads one command, maps errors to exit codes.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, usageError } from './cli-error.js';
import { createContext, type CliIO, type Flags } from './context.js';
import { COMMANDS, GLOBAL_OPTIONS, helpText } from './registry.js';
import { inCliTerms } from './refusal-wording.js';
import { HUDDLE_VERSION } from '../core/version.js';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const at = commandIndex(argv);
  const name = at < 0 ? undefined : argv[at]!;
  const json = argv.includes('--json');
  try {
    if (argv.includes('--version')) {
      io.stdout(`huddle ${HUDDLE_VERSION}\n`);
      return 0;
    }
    if (name === undefined || argv.includes('--help') || argv.includes('-h')) {
      const entry = name === undefined ? undefined : COMMANDS[name];
      io.stdout(entry ? `Usage: ${entry.usage}\n  ${entry.summary}\n` : helpText());
      return name === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0;
    }
    const entry = COMMANDS[name];
    if (!entry) throw usageError(`Unknown command "${name}". Run "huddle --help" for the list.`);
    let values: Flags;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...argv.slice(0, at), ...argv.slice(at + 1)],
        options: { ...GLOBAL_OPTIONS, ...entry.options },
        allowPositionals: true,
        strict: true,
      }) as { values: Flags; positionals: string[] });
    } catch (err) {
      throw usageError(`${(err as Error).message.split('\n')[0]}\nUsage: ${entry.usage}`);
    }
    if (positionals.length < entry.min || positionals.length > entry.max) {
      throw usageError(`Wrong number of arguments.\nUsage: ${entry.usage}`);
    }
    const ctx = createContext(io, values);
    const { run } = await entry.load();
    try {
      return (await run(ctx, positionals, values)) ?? 0;
    } catch (err) {
      // With no hub configured, the local hub is started on first use, and the command run again
      // (a refused connection means it changed nothing).
      const refused = (err as { code?: string }).code === 'hub_unreachable';
      if (!refused || entry.startsLocalHub === false || ctx.loaded.sources.url !== 'default')
        throw err;
      const { ensureLocalHub } = await import('./local-hub.js');
      await ensureLocalHub(ctx);
      return (await run(ctx, positionals, values)) ?? 0;
    }
  } catch (err) {
    const shown = await inCliTerms(err, name === undefined ? undefined : COMMANDS[name]);
    const code = reportError(shown, io, json);
    return code === 2 && name !== undefined ? (COMMANDS[name]?.usageExit ?? 2) : code;
  }
}

function reportError(err: unknown, io: CliIO, json: boolean): number {
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    status?: number;
    details?: unknown;
    exitCode?: number;
  };
  // By name too: `huddle serve` and `huddle migrate` run from the compiled modules, whose CliError
  // is another class than the one bundled here.
  const cliError = err instanceof CliError || e.name === 'CliError';
  const exitCode = cliError ? (e.exitCode === 2 ? 2 : 1) : 1;
  if (json) {
    io.stdout(
      JSON.stringify(
        {
          error: {
            code: e.code ?? (exitCode === 2 ? 'usage' : 'error'),
            message: e.message,
            status: e.status,
            details: e.details,
          },
        },
        null,
        2,
      ) + '\n',
    );
  }
  const known = cliError || e.name === 'HubError' || e.name === 'HuddleError';
  io.stderr(`huddle: ${known ? e.message : String((err as Error)?.stack ?? err)}\n`);
  return exitCode;
}

/**
 * The CLI's IO on this process's streams. When the reader of standard output goes away
 * (`huddle export room | head`), nobody reads the rest: the command ends at once, quietly. When
 * the reader of standard error goes away, the command goes on without its messages.
 */
export function processIO(): CliIO {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    // Read from the descriptor: a stream over stdin loads node's stream modules, a cost every hook
    // would pay at start. A descriptor left non-blocking by the parent (EAGAIN) is read as a stream.
    readStdin: () => {
      try {
        return Promise.resolve(readFileSync(0, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return Promise.reject(err);
      }
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
        process.stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        process.stdin.once('error', reject);
      });
    },
    // Asked only by the commands that prompt: looking at stdin opens it.
    get isTTY() {
      return Boolean(process.stdin.isTTY && process.stdout.isTTY);
    },
    env: process.env,
    // readline is loaded only by the commands that ask: every command pays for what it imports.
    prompt: async (question) => {
      const { createInterface } = await import('node:readline');
      return new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        rl.question(question, (answer) => {
          rl.close();
          resolve(answer);
        });
      });
    },
  };
}

/** Where the command name is: the first argument that is neither a flag nor a global flag's value. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return -1;
    if (!a.startsWith('-')) return i;
    if (!a.includes('=') && GLOBAL_OPTIONS[a.slice(2)]?.type === 'string') i++;
  }
  return -1;
}
