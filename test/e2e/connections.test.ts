// Connections the hub must not keep, and must not blame itself for: sockets that send nothing or
// half a request head are closed in time (so they cannot use up the hub's file descriptors), idle
// kept-alive ones are closed, while streams and long-polls live on; a client that aborts
// mid-body is logged as such, not as a hub error.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createHubClient } from '../../src/client/hub-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startHub, type RunningHub } from '../../src/server/listen.js';
import { createLogger } from '../../src/server/logger.js';
import { CLI_PATH, RELAXED_LIMITS, startTestHub, type TestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A raw TCP connection to the hub, and a promise of its close. */
function open(port: number): { socket: Socket; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const opened = Date.now();
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(Date.now() - opened)),
  );
  return { socket, closed };
}

/** Whether /healthz answers within half a second, on a new connection. */
function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${url}/healthz`, { agent: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

test(
  'more silent sockets than the hub has file descriptors: /healthz recovers within the headers timeout',
  { timeout: 30_000 },
  async () => {
    const dir = tempDir();
    // The hub runs under a low descriptor limit, as a child process.
    const child = spawn(
      'bash',
      ['-c', `ulimit -n 200; exec "${process.execPath}" "${CLI_PATH}" serve --port 0 --json`],
      {
        env: {
          ...process.env,
          HUDDLE_HOME: dir.path,
          HUDDLE_LOG_FORMAT: 'json',
          HUDDLE_RATE_LIMITS: RELAXED_LIMITS,
          HUDDLE_HEADERS_TIMEOUT_SECONDS: '2',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sockets: Socket[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          try {
            resolve((JSON.parse(out) as { url: string }).url);
          } catch {
            // not the whole object yet
          }
        });
        child.once('exit', (code) => reject(new Error(`huddle serve exited with ${code}`)));
      });
      const port = Number(new URL(url).port);
      assert.ok(await healthy(url));
      const closes: Array<Promise<number>> = [];
      for (let i = 0; i < 300; i++) {
        const { socket, closed } = open(port);
        sockets.push(socket);
        closes.push(closed);
      }
      const opened = Date.now();
      // Most often /healthz now fails: the silent sockets hold every descriptor. Not always: when
      // accept() fails for want of one, libuv closes waiting connections to drain its queue, and a
      // request may slip in. What must hold is below: the hub closes every silent socket itself
      // within the timeout (without that, the wait for their close never ends), and answers again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      while (!(await healthy(url))) {
        assert.ok(
          Date.now() - opened < 10_000,
          '/healthz did not recover: silent sockets are kept',
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const recovered = Date.now() - opened;
      assert.ok(recovered < 2000 + 3000, `recovered after ${recovered} ms`);
      // The hub closed every one of them itself.
      const lived = await Promise.all(closes);
      assert.ok(Math.max(...lived) < 2000 + 3000, `longest ${Math.max(...lived)} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      child.kill('SIGTERM');
      await exited;
      dir.remove();
    }
  },
);

describe('time limits', () => {
  let hub: TestHub;
  let token: string;

  before(async () => {
    hub = await startTestHub({
      HUDDLE_HEADERS_TIMEOUT_SECONDS: '1',
      HUDDLE_KEEP_ALIVE_TIMEOUT_SECONDS: '1',
    });
    ({ token } = await createHubClient({ url: hub.url }).createRoom({
      name: 'timeouts',
      label: 'admin',
    }));
  });
  after(() => hub.stop());

  test(
    'a socket that sends nothing is closed after the headers timeout',
    { timeout: 10_000 },
    async () => {
      const { closed } = open(hub.port);
      const lived = await closed;
      assert.ok(lived >= 900 && lived < 3000, `closed after ${lived} ms`);
    },
  );

  test(
    'a socket that sends half a request head and stalls is closed too',
    { timeout: 10_000 },
    async () => {
      const { socket, closed } = open(hub.port);
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const lived = await closed;
      assert.ok(lived < 3500, `closed after ${lived} ms`);
    },
  );

  test(
    'a kept-alive connection is closed once idle for the keep-alive timeout',
    { timeout: 10_000 },
    async () => {
      const { socket, closed } = open(hub.port);
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      const lived = await closed;
      assert.match(answer, /^HTTP\/1\.1 200/);
      assert.match(answer, /Keep-Alive: timeout=1/i);
      assert.ok(lived < 3000, `closed after ${lived} ms`);
    },
  );

  test(
    'a long-poll and a stream connection outlive the headers timeout',
    { timeout: 10_000 },
    async () => {
      const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/v1/stream`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const started = Date.now();
      const polled = await createHubClient({ url: hub.url, token }).waitEvents('timeouts', 1, 2);
      assert.ok(Date.now() - started >= 1900, 'the long-poll waited its full time');
      assert.deepEqual(polled.events, []);
      const pong = new Promise<string>((resolve) =>
        ws.once('message', (d) => resolve(d.toString())),
      );
      ws.send(JSON.stringify({ type: 'ping', ref: 'still-here' }));
      assert.equal(JSON.parse(await pong).type, 'pong');
      ws.close();
    },
  );
});

describe('a client that aborts mid-body', () => {
  let hub: RunningHub;
  let dir: { path: string; remove(): void };
  const lines: Array<Record<string, unknown>> = [];
  let onLine = () => {};

  before(async () => {
    dir = tempDir();
    const { config } = loadConfig({
      env: { HUDDLE_HOME: dir.path, HUDDLE_PORT: '0', HUDDLE_RATE_LIMITS: RELAXED_LIMITS },
      homedir: dir.path,
    });
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      write: (line) => {
        lines.push(JSON.parse(line) as Record<string, unknown>);
        onLine();
      },
    });
    hub = await startHub(config, logger);
  });
  after(async () => {
    await hub.close();
    dir.remove();
  });

  test(
    'is logged as a client abort at debug level, with no error and no 500',
    { timeout: 10_000 },
    async () => {
      const logged = new Promise<Record<string, unknown>>((resolve) => {
        onLine = () => {
          const line = lines.find((l) => l.msg === 'request' && l.path === '/v1/rooms');
          if (line) resolve(line);
        };
      });
      const { socket } = open(hub.port);
      socket.write(
        'POST /v1/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      const request = await logged;
      assert.notEqual(request.status, 500);
      assert.deepEqual(
        lines.filter((l) => l.level === 'error'),
        [],
      );
      const abort = lines.find((l) => l.msg === 'client aborted the request');
      assert.equal(abort?.level, 'debug');
      assert.equal(abort?.path, '/v1/rooms');
    },
  );
});
