// Probes that nobody awaits (the background timer, the end of an ejection's
// cool-down) never reject into the process's fatal handler, and a failing
// state-change listener fails neither the request nor the probe that called it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/registry/registry.ts';
import type { ReplicaOptions } from '../../../src/registry/replica.ts';
import { OPENAI } from '../../../src/upstream/openai/protocol.ts';
import { TGI } from '../../../src/upstream/tgi/protocol.ts';

// Nothing listens on 127.0.0.1:9: every probe there fails at once.
const DEAD = 'http://127.0.0.1:9';

describe('background probes', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let registry: Registry;
  const reported: unknown[] = [];

  beforeEach(() => {
    unhandled.length = 0;
    reported.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await registry.close();
  });

  const options: ReplicaOptions = {
    healthTtlMs: 1000,
    probeTimeoutMs: 500,
    ejectAfterFailures: 1,
    ejectBaseMs: 1,
    ejectMaxMs: 1,
    onEvent: () => {
      throw new Error('the listener failed');
    },
    onBackgroundError: (_replica, error) => reported.push(error),
  };
  const UPSTREAMS = { protocols: { tgi: TGI, openai: OPENAI }, connectTimeoutMs: 500 };
  const model = { key: 'M', id: 'm', name: 'm', endpoints: [DEAD], timeouts: {}, upstream: { protocol: 'tgi' as const } };

  it('start with a listener that throws: the start succeeds and the failure is reported', async () => {
    registry = new Registry([model], options, UPSTREAMS);
    await registry.start();
    expect(registry.replicas[0]!.state).toBe('UNHEALTHY');
    expect(reported).toEqual([new Error('the listener failed')]);
  });

  it('an ejection whose listener throws does not fail the request that caused it', () => {
    registry = new Registry([model], options, UPSTREAMS);
    expect(() => registry.replicas[0]!.failed()).not.toThrow();
    expect(registry.replicas[0]!.state).toBe('EJECTED');
  });

  it('the probe at the end of a cool-down, and the timer\'s, reject into nothing', async () => {
    registry = new Registry([model], options, UPSTREAMS);
    await registry.start();
    const replica = registry.replicas[0]!;
    replica.failed();
    await new Promise((r) => setTimeout(r, 5));
    expect(replica.state).toBe('EJECTED'); // the cool-down is over: its timer started a probe nobody awaits
    replica.probeInBackground();
    // Wait past the registry's background interval (at least 1 s) as well.
    await new Promise((r) => setTimeout(r, 1200));
    expect(unhandled).toEqual([]);
    expect(reported.length).toBeGreaterThan(1);
  });
});
