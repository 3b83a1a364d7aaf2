// A replica whose server exports no load is read less and less often (2, 4,
// 8 … intervals apart, at most a minute), its load meanwhile this gateway's
// in-flight count; it is picked up again when its server starts exporting
// one, and read at the next interval once it comes back from being down.
// Driven tick by tick, as the registry's timer calls it, against a real
// simulator: no timing is involved.
import { afterEach, describe, expect, it } from 'vitest';
import { NO_LOAD_MAX_GAP_MS } from '../../../src/registry/load-reads.ts';
import { Registry } from '../../../src/registry/registry.ts';
import type { Replica, ReplicaOptions } from '../../../src/registry/replica.ts';
import { startSimulator, type Simulator, type SimulatorFaults } from '../../../src/simulator/index.ts';
import { OPENAI } from '../../../src/upstream/openai/protocol.ts';
import { TGI } from '../../../src/upstream/tgi/protocol.ts';

const EVERY_MS = 1000;
const OPTIONS: ReplicaOptions = { healthTtlMs: 60_000, probeTimeoutMs: 1000, ejectAfterFailures: 1, ejectBaseMs: 60_000, ejectMaxMs: 60_000 };

describe("a replica's /metrics reads", () => {
  let sim: Simulator;
  let registry: Registry;
  afterEach(async () => {
    await registry.close();
    await sim.close();
  });

  async function replicaOf(faults: SimulatorFaults): Promise<Replica> {
    sim = await startSimulator({ faults });
    registry = new Registry([{ key: 'M', id: 'm', name: 'm', endpoints: [sim.url], timeouts: {}, upstream: { protocol: 'tgi' } }], OPTIONS, { protocols: { tgi: TGI, openai: OPENAI }, connectTimeoutMs: 1000 });
    return registry.replicas[0]!;
  }
  const reads = () => sim.stats().requestsByRoute['GET /metrics'] ?? 0;
  /** The ticks, counted from 1, at which the server was read. */
  async function ticks(replica: Replica, n: number): Promise<number[]> {
    const read: number[] = [];
    for (let tick = 1; tick <= n; tick++) {
      const before = reads();
      await replica.readLoad(EVERY_MS);
      if (reads() > before) read.push(tick);
    }
    return read;
  }

  it('is every interval while the server exports its load', async () => {
    const replica = await replicaOf({});
    expect(await ticks(replica, 20)).toHaveLength(20);
    expect(replica.queueSize).toBe(0);
  });

  it('backs off while it answers 404: 2, 4, 8 … intervals apart, at most a minute; the in-flight count is its load', async () => {
    const replica = await replicaOf({ metricsStatus: 404 });
    replica.acquire();
    expect(await ticks(replica, 64)).toEqual([1, 3, 7, 15, 31, 63]);
    expect(replica.queueSize).toBeUndefined();
    expect(replica.load).toBe(1);
    // The gap stops growing at a minute.
    const later = await ticks(replica, 400);
    const gaps = later.slice(1).map((tick, i) => tick - later[i]!);
    expect(Math.max(...gaps)).toBe(NO_LOAD_MAX_GAP_MS / EVERY_MS);
    replica.release();
  });

  it('reads a server that answers 503 (loading, overloaded) again at the next interval: a failed read, not a missing page', async () => {
    const replica = await replicaOf({ metricsStatus: 503 });
    expect(await ticks(replica, 10)).toHaveLength(10);
  });

  it('backs off for a page without any gauge it knows, as for a 404', async () => {
    // An OpenAI-compatible client reads vLLM's and llama.cpp's names; a TGI page has neither.
    sim = await startSimulator();
    registry = new Registry(
      [{ key: 'M', id: 'm', name: 'm', endpoints: [sim.url], timeouts: {}, upstream: { protocol: 'openai', model: 'm' } }],
      OPTIONS,
      { protocols: { tgi: TGI, openai: OPENAI }, connectTimeoutMs: 1000 },
    );
    expect(await ticks(registry.replicas[0]!, 16)).toEqual([1, 3, 7, 15]);
  });

  it('picks up a server that starts exporting its load at the next read due, then reads it every interval', async () => {
    const replica = await replicaOf({ metricsStatus: 404 });
    expect(await ticks(replica, 10)).toEqual([1, 3, 7]);
    sim.clearFaults();
    // Tick 15 of the schedule is the next read.
    expect(await ticks(replica, 10)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(replica.queueSize).toBe(0);
  });

  it('reads a replica that comes back from being down at the next interval', async () => {
    const replica = await replicaOf({ metricsStatus: 404 });
    expect(await ticks(replica, 31)).toEqual([1, 3, 7, 15, 31]);
    sim.setFaults({ unhealthy: true });
    expect((await replica.probe()).healthy).toBe(false);
    expect(await ticks(replica, 2)).toEqual([]);
    // Restarted with metrics.
    sim.clearFaults();
    expect((await replica.probe()).healthy).toBe(true);
    expect(await ticks(replica, 3)).toEqual([1, 2, 3]);
    expect(replica.queueSize).toBe(0);
  });
});
