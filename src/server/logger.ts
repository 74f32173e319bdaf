// Structured logs: one JSON object a line, or a readable line in a terminal. Callers pass only
// safe fields; tokens, codes and message bodies are never logged.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level: LogLevel;
  format: 'json' | 'pretty';
  write: (line: string) => void;
  now?: () => number;
}

export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? Date.now;
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[level] < ORDER[options.level]) return;
    const time = new Date(now()).toISOString();
    if (options.format === 'json') {
      options.write(JSON.stringify({ time, level, msg, ...fields }) + '\n');
      return;
    }
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    options.write(
      `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ' ' + extra : ''}\n`,
    );
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** A logger that drops everything; for tests. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
