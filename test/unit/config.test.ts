// loadConfig: defaults < file < HUDDLE_* env < flags, strict validation, and masked printing.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { formatConfig, loadConfig, type ConfigSources } from '../../src/config/load-config.js';
import { DEFAULT_RATE_LIMITS } from '../../src/config/schema.js';
import { HuddleError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const INVALID = { name: 'HuddleError', code: 'invalid_config', kind: 'invalid' };

describe('loadConfig', () => {
  let dir: { path: string; remove(): void };
  let home: string;
  beforeEach(() => {
    dir = tempDir();
    home = join(dir.path, '.huddle');
  });
  afterEach(() => dir.remove());

  const load = (sources: Partial<ConfigSources> = {}) =>
    loadConfig({ env: {}, homedir: dir.path, ...sources });

  function writeSettings(data: unknown, path = join(home, 'settings.json')): string {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(data));
    return path;
  }

  /** The message of the invalid_config error `fn` throws; the test checks what it names. */
  function refusal(fn: () => unknown): string {
    let message = '';
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof HuddleError);
      assert.deepEqual({ name: err.name, code: err.code, kind: err.kind }, INVALID);
      message = err.message;
      return true;
    });
    return message;
  }

  it('uses the defaults when nothing is set, under ~/.huddle', () => {
    const { config, sources } = load();
    assert.equal(config.home, home);
    assert.equal(config.config_file, join(home, 'settings.json'));
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 7766);
    assert.equal(config.store, `sqlite:${home}/huddle.db`);
    assert.equal(config.sync, 'full');
    assert.equal(config.url, 'http://127.0.0.1:7766');
    assert.equal(config.create_secret, undefined);
    assert.equal(config.code_ttl_seconds, 600);
    assert.deepEqual(config.rate_limits, DEFAULT_RATE_LIMITS);
    assert.equal(sources.port, 'default');
    assert.equal(sources.home, 'default');
  });

  it('reads the WAL limit in bytes and refuses one under 1 MiB, naming the range', () => {
    assert.equal(load().config.wal_limit_bytes, 64 * 1024 * 1024);
    assert.equal(
      load({ env: { HUDDLE_WAL_LIMIT_BYTES: '2097152' } }).config.wal_limit_bytes,
      2 * 1024 * 1024,
    );
    const message = refusal(() => load({ env: { HUDDLE_WAL_LIMIT_BYTES: '4096' } }));
    assert.ok(message.includes('HUDDLE_WAL_LIMIT_BYTES'), message);
    assert.ok(message.includes('1048576 to 68719476736'), message);
  });

  it('lets the file beat defaults, env beat the file, and flags beat env', () => {
    writeSettings({ port: 1111, log_level: 'warn', sync: 'normal', host: '127.0.0.2' });
    const fromFile = load();
    assert.equal(fromFile.config.port, 1111);
    assert.equal(fromFile.sources.port, 'file');
    assert.equal(fromFile.config.log_level, 'warn');
    assert.equal(fromFile.config.sync, 'normal');
    assert.equal(fromFile.config.url, 'http://127.0.0.2:1111');
    assert.equal(fromFile.sources.code_ttl_seconds, 'default');

    const fromEnv = load({ env: { HUDDLE_PORT: '2222', HUDDLE_LOG_LEVEL: 'debug' } });
    assert.equal(fromEnv.config.port, 2222);
    assert.equal(fromEnv.sources.port, 'env');
    assert.equal(fromEnv.config.log_level, 'debug');
    assert.equal(fromEnv.config.sync, 'normal');
    assert.equal(fromEnv.sources.sync, 'file');

    const fromFlags = load({
      env: { HUDDLE_PORT: '2222', HUDDLE_LOG_LEVEL: 'debug' },
      flags: { port: '3333' },
    });
    assert.equal(fromFlags.config.port, 3333);
    assert.equal(fromFlags.sources.port, 'flag');
    assert.equal(fromFlags.config.log_level, 'debug');
    assert.equal(fromFlags.sources.log_level, 'env');
  });

  it('reads the file from HUDDLE_HOME, HUDDLE_CONFIG or --config', () => {
    const other = join(dir.path, 'elsewhere');
    writeSettings({ port: 4001 }, join(other, 'settings.json'));
    assert.equal(load({ env: { HUDDLE_HOME: other } }).config.port, 4001);
    assert.equal(load({ env: { HUDDLE_HOME: other } }).config.store, `sqlite:${other}/huddle.db`);
    assert.equal(load({ flags: { home: other } }).config.port, 4001);
    const explicit = writeSettings({ port: 4002 }, join(dir.path, 'custom.json'));
    assert.equal(load({ env: { HUDDLE_CONFIG: explicit } }).config.port, 4002);
    assert.equal(load({ flags: { config: explicit } }).config.port, 4002);
  });

  it('needs an explicitly named config file to exist, but not the default one', () => {
    assert.doesNotThrow(() => load());
    const missing = join(dir.path, 'missing.json');
    assert.ok(refusal(() => load({ env: { HUDDLE_CONFIG: missing } })).includes(missing));
  });

  it('treats an empty variable as unset, HUDDLE_HOME included', () => {
    assert.equal(load({ env: { HUDDLE_PORT: '' } }).config.port, 7766);
    const { config } = load({ env: { HUDDLE_HOME: '' } });
    assert.equal(config.home, home);
    assert.equal(config.store, `sqlite:${home}/huddle.db`);
  });

  it('refuses an unknown key in the file, naming it', () => {
    writeSettings({ port: 1, prot: 2 });
    assert.ok(refusal(() => load()).includes('"prot"'));
  });

  it('refuses a file that is not a JSON object', () => {
    writeFileSync(writeSettings({}), '{ port: 1');
    refusal(() => load());
    writeSettings([1, 2]);
    refusal(() => load());
  });

  it('refuses an invalid port, naming where the value came from', () => {
    const settings = writeSettings({ port: 70000 });
    const fromFile = refusal(() => load());
    assert.ok(fromFile.includes('port') && fromFile.includes(settings), fromFile);

    const fromEnv = refusal(() => load({ env: { HUDDLE_PORT: '-1' } }));
    assert.ok(fromEnv.includes('HUDDLE_PORT'), fromEnv);

    const fromFlag = refusal(() => load({ env: { HUDDLE_PORT: '1' }, flags: { port: 'abc' } }));
    assert.ok(fromFlag.includes('--port'), fromFlag);
  });

  it('refuses other invalid values', () => {
    refusal(() => load({ env: { HUDDLE_SYNC: 'sometimes' } }));
    refusal(() => load({ env: { HUDDLE_URL: 'ftp://example.com' } }));
    refusal(() => load({ env: { HUDDLE_OPEN_CREATE: 'maybe' } }));
    refusal(() => load({ env: { HUDDLE_CODE_TTL_SECONDS: '5' } }));
    refusal(() => load({ env: { HUDDLE_PORT: '1.5' } }));
  });

  it('reads the host list from a comma-separated string or a JSON list, and refuses URLs', () => {
    assert.deepEqual(load().config.allowed_hosts, []);
    assert.equal(load().config.public_url, undefined);
    const { config } = load({
      env: {
        HUDDLE_ALLOWED_HOSTS: 'Machine-A, .corp.example',
        HUDDLE_PUBLIC_URL: 'https://hub.example.com/',
      },
    });
    assert.deepEqual(config.allowed_hosts, ['machine-a', '.corp.example']);
    assert.equal(config.public_url, 'https://hub.example.com');
    writeSettings({ allowed_hosts: ['hub.lan', '*'] });
    assert.deepEqual(load().config.allowed_hosts, ['hub.lan', '*']);
    const withPort = refusal(() => load({ env: { HUDDLE_ALLOWED_HOSTS: 'machine-a:7766' } }));
    assert.match(withPort, /HUDDLE_ALLOWED_HOSTS.*"machine-a:7766".*without scheme or port/);
    refusal(() => load({ env: { HUDDLE_ALLOWED_HOSTS: 'http://machine-a' } }));
    refusal(() => load({ env: { HUDDLE_PUBLIC_URL: 'machine-a:7766' } }));
    refusal(() => load({ env: { HUDDLE_HEADERS_TIMEOUT_SECONDS: '0' } }));
  });

  it('takes the VAPID subject as mailto: or https:, by default from an https public URL', () => {
    assert.equal(load().config.push_subject, 'mailto:huddle@localhost');
    const proxied = load({ env: { HUDDLE_PUBLIC_URL: 'https://hub.example.com' } });
    assert.equal(proxied.config.push_subject, 'https://hub.example.com');
    const plain = load({ env: { HUDDLE_PUBLIC_URL: 'http://machine-a:7766' } });
    assert.equal(plain.config.push_subject, 'mailto:huddle@localhost');
    const set = load({ env: { HUDDLE_PUSH_SUBJECT: 'mailto:ops@example.com' } });
    assert.equal(set.config.push_subject, 'mailto:ops@example.com');
    for (const bad of ['ops@example.com', 'http://hub.example.com', 'mailto:nobody']) {
      const message = refusal(() => load({ env: { HUDDLE_PUSH_SUBJECT: bad } }));
      assert.match(message, /HUDDLE_PUSH_SUBJECT.*mailto:/);
    }
  });

  it('merges rate_limits with the defaults, limit by limit and field by field', () => {
    const { config } = load({ env: { HUDDLE_RATE_LIMITS: '{"join":{"burst":5}}' } });
    assert.deepEqual(config.rate_limits.join, { ...DEFAULT_RATE_LIMITS.join, burst: 5 });
    assert.deepEqual(config.rate_limits.writes, DEFAULT_RATE_LIMITS.writes);
    assert.deepEqual(config.rate_limits.room_ops, DEFAULT_RATE_LIMITS.room_ops);
    assert.equal(DEFAULT_RATE_LIMITS.join.burst, 100, 'the defaults themselves stay unchanged');

    writeSettings({ rate_limits: { writes: { refill: 1, period_seconds: 1 } } });
    const fromFile = load().config.rate_limits;
    assert.deepEqual(fromFile.writes, {
      burst: DEFAULT_RATE_LIMITS.writes.burst,
      refill: 1,
      period_seconds: 1,
    });
    assert.deepEqual(fromFile.join, DEFAULT_RATE_LIMITS.join);
  });

  it('refuses unknown or invalid rate limits', () => {
    refusal(() => load({ env: { HUDDLE_RATE_LIMITS: '{"joins":{"burst":5}}' } }));
    refusal(() => load({ env: { HUDDLE_RATE_LIMITS: '{"join":{"bursts":5}}' } }));
    refusal(() => load({ env: { HUDDLE_RATE_LIMITS: '{"join":{"burst":0}}' } }));
    refusal(() => load({ env: { HUDDLE_RATE_LIMITS: '{"join":{"burst":"5"}}' } }));
    refusal(() => load({ env: { HUDDLE_RATE_LIMITS: 'not json' } }));
  });
});

describe('formatConfig', () => {
  let dir: { path: string; remove(): void };
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('masks the create secret and a password in the store URL', () => {
    const loaded = loadConfig({
      env: {
        HUDDLE_CREATE_SECRET: 'open-sesame-42',
        HUDDLE_STORE: 'postgres://huddle:hunter2@db.example:5432/huddle',
      },
      homedir: dir.path,
    });
    const printed = formatConfig(loaded);
    assert.deepEqual(printed.create_secret, { value: '********', source: 'env' });
    assert.deepEqual(printed.store, {
      value: 'postgres://huddle:********@db.example:5432/huddle',
      source: 'env',
    });
    const text = JSON.stringify(printed);
    assert.ok(!text.includes('open-sesame-42'));
    assert.ok(
      !text.includes('hunter2'),
      'neither in the store URL nor in the bus URL it defaults to',
    );
    assert.deepEqual(printed.bus?.value, 'postgres://huddle:********@db.example:5432/huddle');
    assert.equal(printed.port?.value, 7766);
    assert.equal(printed.port?.source, 'default');
  });

  it('prints an unset secret as null and a SQLite store as it is', () => {
    const printed = formatConfig(loadConfig({ env: {}, homedir: dir.path }));
    assert.equal(printed.create_secret?.value, null);
    assert.equal(printed.store?.value, `sqlite:${join(dir.path, '.huddle')}/huddle.db`);
  });
});
