import { afterAll, describe, expect, it } from 'vitest';
import { Replica, type ReplicaOptions } from '../../../src/registry/replica.ts';
import { Router } from '../../../src/registry/router.ts';
import { BLOCK_CHARS, prefixBlocks } from '../../../src/routing/prefix-blocks.ts';
import { TgiClient } from '../../../src/upstream/tgi/client.ts';

// Nothing listens on 127.0.0.1:9: a probe there fails at once, and no other
// method of a Replica touches the network.
const OPTIONS: ReplicaOptions = { healthTtlMs: 60_000, probeTimeoutMs: 2_000, ejectAfterFailures: 1, ejectBaseMs: 60_000, ejectMaxMs: 60_000 };

const made: Replica[] = [];
afterAll(async () => {
  await Promise.all(made.map((replica) => replica.close()));
});

function replicas(...names: string[]): Replica[] {
  return names.map((name) => {
    const url = `http://127.0.0.1:9/${name}`;
    const replica = new Replica(url, new TgiClient(url, { connectTimeoutMs: 2_000 }), OPTIONS);
    made.push(replica);
    return replica;
  });
}

const NONE: ReadonlySet<Replica> = new Set();
const name = (replica: Replica | undefined) => replica?.url.split('/').at(-1);
const prompt = (seed: string, blocks = 8) => prefixBlocks(seed.repeat(Math.ceil((blocks * BLOCK_CHARS) / seed.length)));

describe('prefix-aware routing', () => {
  it('sends the next turn of a conversation where its earlier turns went, and counts the hit', () => {
    const pool = replicas('a', 'b', 'c');
    const router = new Router('m', 'prefix-aware');
    const turn1 = prompt('conversation one, turn one. ', 6);
    const first = router.pick(pool, NONE, turn1)!;
    expect(first.reason).toBe('load');
    const turn2 = [...turn1, ...prompt('and the second turn. ', 2)];
    for (let i = 0; i < 3; i++) {
      const next = router.pick(pool, NONE, turn2)!;
      expect(name(next.replica)).toBe(name(first.replica));
      expect(next.reason).toBe('prefix');
    }
    expect(first.replica.prefixHits).toBe(3);
  });

  it('spreads conversations it holds nothing of over the replicas by load', () => {
    const pool = replicas('a', 'b', 'c');
    const router = new Router('m', 'prefix-aware');
    const picked = ['one', 'two', 'three'].map((seed) => {
      const decision = router.pick(pool, NONE, prompt(`${seed} `))!;
      decision.replica.acquire();
      return name(decision.replica);
    });
    expect(new Set(picked).size).toBe(3);
  });

  it('lets a busy holder go: the conversation moves to a replica well less loaded', () => {
    const [a, b] = replicas('a', 'b');
    const router = new Router('m', 'prefix-aware');
    const blocks = prompt('a hot conversation ');
    router.learn(a!.url, blocks);
    for (let i = 0; i < 10; i++) a!.acquire();
    expect(router.pick([a!, b!], NONE, blocks)).toEqual({ replica: b, reason: 'load' });
  });

  it('puts health before any prefix: an ejected holder is not chosen', () => {
    const [a, b] = replicas('a', 'b');
    const router = new Router('m', 'prefix-aware');
    const blocks = prompt('held by a ');
    router.learn(a!.url, blocks);
    a!.failed();
    expect(a!.state).toBe('EJECTED');
    expect(router.pick([a!, b!], NONE, blocks)).toEqual({ replica: b, reason: 'load' });
    // With every healthy replica tried, the ejected one is the fallback.
    expect(router.pick([a!, b!], new Set([b!]), blocks)).toEqual({ replica: a, reason: 'fallback' });
  });

  it('skips replicas already tried for the request, and says when none is left', () => {
    const [a, b] = replicas('a', 'b');
    const router = new Router('m', 'prefix-aware');
    const blocks = prompt('retry me ');
    router.learn(a!.url, blocks);
    expect(router.pick([a!, b!], new Set([a!]), blocks)?.replica).toBe(b);
    expect(router.pick([a!, b!], new Set([a!, b!]), blocks)).toBeUndefined();
  });
});

describe('least-in-flight routing', () => {
  it('looks at no prefix: fewest in flight wins, reason load', () => {
    const [a, b] = replicas('a', 'b');
    const router = new Router('m', 'least-in-flight');
    expect(router.wantsPrefix).toBe(false);
    const blocks = prompt('held by a ');
    router.learn(a!.url, blocks);
    a!.acquire();
    expect(router.pick([a!, b!], NONE, blocks)).toEqual({ replica: b, reason: 'load' });
    expect(a!.prefixHits).toBe(0);
  });
});

describe("a replica's load", () => {
  it('is the gateway in-flight count while its server tells nothing (no /metrics, or none it can read)', async () => {
    const [a] = replicas('a');
    await a!.readLoad(1_000);
    a!.acquire();
    a!.acquire();
    expect(a!.queueSize).toBeUndefined();
    expect(a!.kvCacheUsage).toBeUndefined();
    expect(a!.load).toBe(2);
  });
});
