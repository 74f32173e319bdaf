// Coordination on a real hub (`huddle serve`, sync=full): the task lifecycle (add, claim, done)
// driven by concurrent agents, a lease request against a room that already holds many leases,
// and compare-and-set on one contended variable.

import { createHubClient, HubError, type HubClient } from '../src/client/hub-client.js';
import { startHubProcess } from './hub-process.js';
import { ms, perSecond, summarize } from './stats.js';
import type { BenchResult, Row } from './table.js';

const ROOM = 'bench-coord';

export interface CoordinationOptions {
  agents: number;
  seconds: number;
  /** Live leases held by other agents while lease requests are measured. */
  heldLeases: number;
  leaseRequests: number;
}

interface Agent {
  name: string;
  client: HubClient;
}

/** Runs `step` in a closed loop on every agent until the time is up; returns latencies in ms. */
async function closedLoop(
  agents: Agent[],
  seconds: number,
  step: (a: Agent) => Promise<void>,
): Promise<{ samples: number[]; elapsed: number }> {
  const samples: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    agents.map(async (a) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await step(a);
        samples.push(performance.now() - t0);
      }
    }),
  );
  return { samples, elapsed: (performance.now() - start) / 1000 };
}

export async function coordination(options: CoordinationOptions): Promise<BenchResult> {
  const hub = await startHubProcess({ HUDDLE_SYNC: 'full' });
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const anonymous = createHubClient({ url: hub.url });
    const created = await anonymous.createRoom({ name: ROOM, label: 'bench-admin' });
    const admin = createHubClient({ url: hub.url, token: created.token });
    const agents: Agent[] = [];
    for (let i = 0; i < options.agents; i++) {
      const { code } = await admin.createCode(ROOM, { scopes: ['read', 'write'] });
      const client = createHubClient({
        url: hub.url,
        token: (await anonymous.join({ code, label: `machine-${i}` })).token,
      });
      await client.registerAgent(ROOM, { name: `agent-${i}` });
      agents.push({ name: `agent-${i}`, client });
    }

    // Each iteration is three durable writes: add, claim, done.
    const lifecycle = await closedLoop(agents, options.seconds, async (a) => {
      const { task } = await a.client.addTask(ROOM, a.name, { title: 'bench task' });
      await a.client.taskStep(ROOM, a.name, task.id, 'claim');
      await a.client.taskStep(ROOM, a.name, task.id, 'done');
    });
    const life = summarize(lifecycle.samples);
    const path = `task add+claim+done, ${options.agents} agents`;
    rows.push(
      { path, metric: 'task writes', value: perSecond((life.count * 3) / lifecycle.elapsed) },
      { path, metric: 'lifecycle p50', value: ms(life.p50) },
      { path, metric: 'lifecycle p99', value: ms(life.p99) },
    );

    // Many live leases in the room, each on its own directory, then requests that conflict
    // with none of them: every request checks its paths against every live lease.
    const holder = agents[0]!;
    for (let i = 0; i < options.heldLeases; i++) {
      await holder.client.lease(ROOM, holder.name, {
        paths: [`pkg-${i}/src/**`, `pkg-${i}/*.json`],
      });
    }
    const requester = agents[1] ?? agents[0]!;
    const leaseSamples: number[] = [];
    for (let i = 0; i < options.leaseRequests; i++) {
      const t0 = performance.now();
      const { lease } = await requester.client.lease(ROOM, requester.name, {
        paths: [`free-${i}/**/*.ts`],
      });
      leaseSamples.push(performance.now() - t0);
      await requester.client.release(ROOM, requester.name, { ids: [lease.id] });
    }
    const lease = summarize(leaseSamples);
    const leasePath = `lease request, ${options.heldLeases} live leases held`;
    rows.push(
      { path: leasePath, metric: 'p50', value: ms(lease.p50) },
      { path: leasePath, metric: 'p99', value: ms(lease.p99) },
    );

    // Every agent increments one variable by compare-and-set, retrying on conflict.
    await admin.setVariable(ROOM, 'counter', { value: '0' });
    let conflicts = 0;
    const cas = await closedLoop(agents, options.seconds, async (a) => {
      for (;;) {
        const { variable } = await a.client.variable(ROOM, 'counter');
        try {
          await a.client.setVariable(ROOM, 'counter', {
            value: String(Number(variable.value) + 1),
            expected_version: variable.version,
          });
          return;
        } catch (err) {
          if (!(err instanceof HubError) || err.code !== 'variable_conflict') throw err;
          conflicts++;
        }
      }
    });
    const final = Number((await admin.variable(ROOM, 'counter')).variable.value);
    const casPath = `var compare-and-set, ${options.agents} agents on one key`;
    rows.push(
      {
        path: casPath,
        metric: 'committed updates',
        value: perSecond(cas.samples.length / cas.elapsed),
      },
      { path: casPath, metric: 'update p99 (with retries)', value: ms(summarize(cas.samples).p99) },
    );
    notes.push(
      final === cas.samples.length
        ? `${casPath}: ${final} updates, none lost; ${conflicts} conflicts retried.`
        : `${casPath}: LOST UPDATES: ${cas.samples.length} acknowledged, counter at ${final}.`,
    );
  } finally {
    await hub.stop();
  }
  return { rows, notes };
}
