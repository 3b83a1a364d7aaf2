import { afterAll, describe, expect, it } from 'vitest';
import { pickReplica } from '../../../src/registry/balancer.ts';
import { Replica, type ReplicaOptions } from '../../../src/registry/replica.ts';
import { TgiClient } from '../../../src/upstream/tgi/client.ts';

// Nothing listens on 127.0.0.1:9: a probe there fails at once, and no other
// method of a Replica touches the network.
const OPTIONS: ReplicaOptions = {
  healthTtlMs: 60_000,
  probeTimeoutMs: 2_000,
  ejectAfterFailures: 2,
  ejectBaseMs: 60_000,
  ejectMaxMs: 60_000,
};

const replicas: Replica[] = [];
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.close()));
});

function replica(name: string, inFlight = 0): Replica {
  const url = `http://127.0.0.1:9/${name}`;
  const made = new Replica(url, new TgiClient(url, { connectTimeoutMs: 2_000 }), OPTIONS);
  for (let i = 0; i < inFlight; i++) made.acquire();
  replicas.push(made);
  return made;
}

async function unhealthy(name: string, inFlight = 0): Promise<Replica> {
  const made = replica(name, inFlight);
  await made.probe();
  expect(made.state).toBe('UNHEALTHY');
  return made;
}

function ejected(name: string, inFlight = 0): Replica {
  const made = replica(name, inFlight);
  for (let i = 0; i < OPTIONS.ejectAfterFailures; i++) made.failed();
  expect(made.state).toBe('EJECTED');
  return made;
}

const NONE: ReadonlySet<Replica> = new Set();
const names = (picked: (Replica | undefined)[]) => picked.map((r) => r?.url.split('/').at(-1));

describe('pickReplica', () => {
  it('picks the healthy replica with the fewest requests in flight', () => {
    const [a, b, c] = [replica('a', 3), replica('b', 1), replica('c', 2)];
    for (let i = 0; i < 5; i++) expect(pickReplica([a, b, c], NONE)).toBe(b);
  });

  it('prefers HEALTHY over UNHEALTHY, however busy', async () => {
    const busy = replica('busy', 50);
    const sick = await unhealthy('sick');
    for (let i = 0; i < 4; i++) expect(pickReplica([sick, busy], NONE)).toBe(busy);
  });

  it('prefers UNHEALTHY over EJECTED, however busy', async () => {
    const sick = await unhealthy('sick2', 50);
    const out = ejected('out');
    for (let i = 0; i < 4; i++) expect(pickReplica([out, sick], NONE)).toBe(sick);
  });

  it('falls back to an EJECTED replica when it is the only one left', () => {
    const out = ejected('out2');
    const tried = replica('tried');
    expect(pickReplica([tried, out], new Set([tried]))).toBe(out);
  });

  it('skips replicas already tried for this request', () => {
    const [a, b, c] = [replica('a2'), replica('b2', 5), replica('c2', 9)];
    expect(pickReplica([a, b, c], new Set([a]))).toBe(b);
    expect(pickReplica([a, b, c], new Set([a, b]))).toBe(c);
    expect(pickReplica([a, b, c], new Set([a, b, c]))).toBeUndefined();
  });

  it('returns the only replica until it has been tried', () => {
    const only = ejected('only');
    expect(pickReplica([only], NONE)).toBe(only);
    expect(pickReplica([only], new Set([only]))).toBeUndefined();
  });

  it('rotates ties across calls, so equal replicas share the load', () => {
    const pair = [replica('p1'), replica('p2')];
    const picks = names(Array.from({ length: 6 }, () => pickReplica(pair, NONE)));
    for (let i = 1; i < picks.length; i++) expect(picks[i]).not.toBe(picks[i - 1]);

    const trio = [replica('t1'), replica('t2'), replica('t3')];
    expect(new Set(names(Array.from({ length: 3 }, () => pickReplica(trio, NONE))))).toEqual(new Set(['t1', 't2', 't3']));
  });

  it('rotates only among the least busy', () => {
    const [a, b, c] = [replica('r1'), replica('r2'), replica('r3', 1)];
    const model = [a, b, c]; // a model's replica list is one stable array
    const picks = new Set(Array.from({ length: 6 }, () => pickReplica(model, NONE)));
    expect(picks).toEqual(new Set([a, b]));
  });

  it('rotates ties for each model even when picks for two models interleave', () => {
    const modelA = [replica('a-1'), replica('a-2')];
    const modelB = [replica('b-1'), replica('b-2')];
    const picksA: Replica[] = [];
    for (let i = 0; i < 6; i++) {
      picksA.push(pickReplica(modelA, NONE)!);
      pickReplica(modelB, NONE);
    }
    expect(new Set(picksA).size).toBe(2);
  });

  describe('a model without replicas', () => {
    it('returns nothing, and later picks for other models still work', () => {
      expect(pickReplica([], NONE)).toBeUndefined();
      const pair = [replica('after-1'), replica('after-2')];
      expect(pair).toContain(pickReplica(pair, NONE));
    });
  });
});
