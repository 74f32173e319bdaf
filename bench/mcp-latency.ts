// MCP: how long `huddle mcp` takes to answer `initialize`, and the round trip of the
// read-the-room tool over stdio and over Streamable HTTP at /mcp.

import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI_PATH, cleanEnv, startHubProcess, tempHome } from './hub-process.js';
import { ms, summarize } from './stats.js';
import type { BenchResult, Row } from './table.js';

export interface McpOptions {
  starts: number;
  calls: number;
}

async function timeCalls(client: Client, calls: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < calls + 5; i++) {
    const t0 = performance.now();
    const result = await client.callTool({ name: 'room', arguments: { limit: 10 } });
    if (result.isError) throw new Error(JSON.stringify(result.content));
    if (i >= 5) samples.push(performance.now() - t0);
  }
  return samples;
}

export async function mcpLatency(o: McpOptions): Promise<BenchResult> {
  const hub = await startHubProcess();
  const home = tempHome('huddle-bench-mcp-');
  const env = cleanEnv({ HUDDLE_HOME: home.path, HUDDLE_URL: hub.url });
  const created = JSON.parse(
    execFileSync(
      process.execPath,
      [CLI_PATH, 'create', 'bench-mcp', '--label', 'bench', '--json'],
      { env },
    ).toString(),
  ) as { room: { name: string } };
  const room = created.room.name;
  const token = (
    JSON.parse(execFileSync('cat', [`${home.path}/config.json`]).toString()) as {
      hubs: Record<string, { rooms: Record<string, { token: string }> }>;
    }
  ).hubs[hub.url]!.rooms[room]!.token;
  const rows: Row[] = [];
  try {
    const starts: number[] = [];
    let stdio: Client | undefined;
    for (let i = 0; i < o.starts; i++) {
      const client = new Client({ name: 'bench', version: '1.0.0' });
      const t0 = performance.now();
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI_PATH, 'mcp', '--room', room, '--as', `bench-${i}`],
          env: env as Record<string, string>,
        }),
      );
      starts.push(performance.now() - t0);
      if (i === 0) stdio = client;
      else await client.close();
    }
    const s = summarize(starts);
    rows.push({
      path: 'huddle mcp, spawn to initialize answered',
      metric: 'p50 / p95',
      value: `${ms(s.p50)} / ${ms(s.p95)}`,
    });

    const { tools } = await stdio!.listTools();
    rows.push({
      path: 'MCP tools/list',
      metric: 'tools · characters',
      value: `${tools.length} · ${JSON.stringify({ tools }).length}`,
      target: {
        text: '≤ 8 · ≤ 8,000',
        met: tools.length <= 8 && JSON.stringify({ tools }).length <= 8000,
      },
    });

    const overStdio = summarize(await timeCalls(stdio!, o.calls));
    rows.push({
      path: 'MCP "room" call over stdio (bridge → REST)',
      metric: 'p50 / p99',
      value: `${ms(overStdio.p50)} / ${ms(overStdio.p99)}`,
    });
    await stdio!.close();

    const http = new Client({ name: 'bench', version: '1.0.0' });
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp?agent=bench-http`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const overHttp = summarize(await timeCalls(http, o.calls));
    rows.push({
      path: 'MCP "room" call over HTTP (/mcp)',
      metric: 'p50 / p99',
      value: `${ms(overHttp.p50)} / ${ms(overHttp.p99)}`,
      target: { text: 'p99 ≤ 5 ms', met: overHttp.p99 <= 5 },
    });
    await http.close();
  } finally {
    await hub.stop();
    home.remove();
  }
  return {
    rows,
    notes: [
      `MCP: ${o.starts} starts of huddle mcp; ${o.calls} "room" calls each way after 5 untimed ones.`,
    ],
  };
}
