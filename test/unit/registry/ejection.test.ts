// An ejected replica is out of rotation for its cool-down, then probed once
// when the cool-down ends, by a timer: looking at its state never probes it.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/registry/registry.ts';
import type { ReplicaEvent, ReplicaOptions } from '../../../src/registry/replica.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { OPENAI } from '../../../src/upstream/openai/protocol.ts';
import { TGI } from '../../../src/upstream/tgi/protocol.ts';

const COOL_DOWN_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an ejected replica', () => {
  let sim: Simulator;
  let registry: Registry;
  const events: ReplicaEvent['kind'][] = [];

  afterEach(async () => {
    events.length = 0;
    await registry.close();
    await sim.close();
  });

  async function ejected() {
    sim = await startSimulator();
    const options: ReplicaOptions = {
      // Nothing else probes during the test: the cached health stays fresh.
      healthTtlMs: 60_000,
      probeTimeoutMs: 1000,
      ejectAfterFailures: 1,
      ejectBaseMs: COOL_DOWN_MS,
      ejectMaxMs: COOL_DOWN_MS,
      onEvent: (_replica, event) => events.push(event.kind),
    };
    registry = new Registry([{ key: 'M', id: 'm', name: 'm', endpoints: [sim.url], timeouts: {}, upstream: { protocol: 'tgi' } }], options, { protocols: { tgi: TGI, openai: OPENAI }, connectTimeoutMs: 1000 });
    const replica = registry.replicas[0]!;
    replica.failed();
    return replica;
  }
  const probes = () => sim.stats().requestsByRoute['GET /health'] ?? 0;

  it('stays out of rotation during its cool-down, unprobed however often its state is read', async () => {
    const replica = await ejected();
    for (let i = 0; i < 100; i++) expect(replica.state).toBe('EJECTED');
    await sleep(COOL_DOWN_MS / 2);
    expect(replica.state).toBe('EJECTED');
    expect(probes()).toBe(0);
  });

  it('is probed once its cool-down is over, and readmitted by that probe without anyone looking', async () => {
    const replica = await ejected();
    const until = performance.now() + 2000;
    while (!events.includes('readmitted') && performance.now() < until) await sleep(10);
    expect(events).toEqual(['ejected', 'readmitted']);
    expect(probes()).toBe(1);
    expect(replica.state).toBe('HEALTHY');
  });

  it('leaves no timer once the registry is closed during a cool-down', async () => {
    await ejected();
    await registry.close();
    await sleep(COOL_DOWN_MS * 2);
    expect(probes()).toBe(0);
    expect(events).toEqual(['ejected']);
  });
});
