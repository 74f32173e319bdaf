// loadConfig: defaults < config file < HUDDLE_* environment < flags, validated by one schema.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HuddleError } from '../core/errors.js';
import { SETTINGS, SchemaError, type Config } from './schema.js';

export type Source = 'default' | 'file' | 'env' | 'flag';

export interface ConfigSources {
  env: Record<string, string | undefined>;
  /** Flag values by flag name (`port`, `hub`, ...); `home` and `config` are honoured too. */
  flags?: Record<string, string | boolean | undefined>;
  /** The user's home directory, for the default HUDDLE_HOME. */
  homedir: string;
}

export interface LoadedConfig {
  config: Config;
  /** Where each setting's value came from, for `huddle config print`. */
  sources: Record<keyof Config, Source>;
}

function invalid(message: string): HuddleError {
  return new HuddleError('invalid', 'invalid_config', message);
}

function readFile(path: string, explicit: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw invalid(`Cannot read the config file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw invalid(`The config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalid(`The config file ${path} must hold a JSON object.`);
  }
  const known = new Set(SETTINGS.map((s) => s.key as string));
  for (const key of Object.keys(data)) {
    if (!known.has(key))
      throw invalid(
        `Unknown setting "${key}" in ${path}. Known settings: ${[...known].join(', ')}.`,
      );
  }
  return data as Record<string, unknown>;
}

export function loadConfig(sources: ConfigSources): LoadedConfig {
  const { env, homedir } = sources;
  const flags = sources.flags ?? {};
  const flagString = (name: string) =>
    typeof flags[name] === 'string' ? (flags[name] as string) : undefined;

  const home = flagString('home') || env.HUDDLE_HOME || join(homedir, '.huddle');
  const explicitFile = flagString('config') || env.HUDDLE_CONFIG || undefined;
  const configFile = explicitFile ?? join(home, 'settings.json');
  const file = readFile(configFile, explicitFile !== undefined);

  const config: Partial<Config> = { home, config_file: configFile };
  const origin: Partial<Record<keyof Config, Source>> = {
    home: flagString('home') ? 'flag' : env.HUDDLE_HOME ? 'env' : 'default',
    config_file: flagString('config') ? 'flag' : env.HUDDLE_CONFIG ? 'env' : 'default',
  };

  for (const s of SETTINGS) {
    let raw: unknown;
    let from: Source = 'default';
    let where = '';
    if (s.flag && flags[s.flag] !== undefined) {
      [raw, from, where] = [flags[s.flag], 'flag', `--${s.flag}`];
    } else if (s.env && env[s.env] !== undefined && env[s.env] !== '') {
      [raw, from, where] = [env[s.env], 'env', s.env];
    } else if (file[s.key] !== undefined) {
      [raw, from, where] = [file[s.key], 'file', `"${s.key}" in ${configFile}`];
    }
    try {
      (config as Record<string, unknown>)[s.key] =
        from === 'default' ? s.default(config) : s.parse(raw);
    } catch (err) {
      if (err instanceof SchemaError)
        throw invalid(`Invalid setting ${where}: ${s.key} ${err.message}.`);
      throw err;
    }
    origin[s.key] = from;
  }
  return { config: config as Config, sources: origin as Record<keyof Config, Source> };
}

/** The effective settings as `key = value  (source)` lines, secrets masked. */
export function formatConfig(
  loaded: LoadedConfig,
): Record<string, { value: unknown; source: Source }> {
  const out: Record<string, { value: unknown; source: Source }> = {};
  const secret = new Set(SETTINGS.filter((s) => s.secret).map((s) => s.key));
  for (const [key, value] of Object.entries(loaded.config)) {
    const k = key as keyof Config;
    const masked =
      secret.has(k) && value !== undefined
        ? '********'
        : key === 'store' || key === 'bus'
          ? maskUrl(String(value))
          : value;
    out[key] = { value: masked ?? null, source: loaded.sources[k] };
  }
  return out;
}

/** Hides a password in a store URL such as postgres://user:secret@host/db. */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:********@');
}
