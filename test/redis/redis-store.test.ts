// The Redis rate-limit store against a real redis-server on loopback: two
// stores stand for two gateway processes sharing one Redis.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../../src/rate-limits/redis-store.ts';
import type { Admission, Lease, RateLimitsLogger, RateLimits } from '../../src/rate-limits/types.ts';
import type { Logger } from '../../src/logger.ts';
import { describeWithRedis, freePort, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { allowed, slowestOf } from '../support/timing.ts';

interface Logged { level: 'warn' | 'info'; message: string }

describeWithRedis('Redis rate-limit store', () => {
  let server: RedisServer;
  let stores: RedisStore[] = [];
  let logged: Logged[] = [];
  let prefix = '';
  /** The slowest of 20 admits through a healthy store, taken in this run: "at once" is judged against it. */
  let admitMs = 0;
  const logger: RateLimitsLogger = {
    warn: (_fields, message) => logged.push({ level: 'warn', message }),
    info: (_fields, message) => logged.push({ level: 'info', message }),
  };

  beforeAll(async () => {
    server = await startRedisServer();
    const store = createRedisStore({ rpm: 1_000_000 }, { url: server.url, keyPrefix: `test:${randomUUID()}:`, failureMode: 'open', logger });
    await store.ready(2_000);
    admitMs = await slowestOf(20, () => store.admit('baseline'));
    await store.close();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    stores = [];
    logged = [];
    server.resume();
    if (!server.running) await server.restart();
  });

  /** A gateway process's store; every test gets keys of its own. */
  async function processStore(limits: RateLimits, options: Partial<RedisStoreOptions> = {}): Promise<RedisStore> {
    if (stores.length === 0) prefix = `test:${randomUUID()}:`;
    const store = createRedisStore(limits, {
      url: server.url, keyPrefix: prefix, failureMode: 'open', logger, flushIntervalMs: 50, reconnectMaxDelayMs: 100, ...options,
    });
    stores.push(store);
    expect(await store.ready(2_000)).toBe(true);
    return store;
  }

  async function lease(store: RedisStore, subject = 'key-1'): Promise<Lease> {
    const admission = await store.admit(subject);
    if (!admission.ok) throw new Error(`refused: ${admission.limit}`);
    return admission.lease;
  }

  /** Admits until `accept` holds, at most `withinMs`; returns the last admission and when it came. */
  async function admitUntil(store: RedisStore, accept: (a: Admission) => boolean, withinMs: number, subject = 'key-1') {
    const start = Date.now();
    for (;;) {
      const admission = await store.admit(subject);
      if (accept(admission)) return { admission, afterMs: Date.now() - start };
      if (Date.now() - start > withinMs) throw new Error(`still ${JSON.stringify(admission)} after ${withinMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("takes the gateway's pino logger", () => {
    expectTypeOf<Logger>().toExtend<RateLimitsLogger>();
  });

  const refusedBy = (limit: string) => (a: Admission): boolean => !a.ok && a.limit === limit;

  it('two processes share one requests-per-minute count', async () => {
    const [one, two] = [await processStore({ rpm: 3 }), await processStore({ rpm: 3 })];
    await lease(one);
    await lease(two);
    await lease(one);
    const refused = await two.admit('key-1');
    expect(refused).toMatchObject({ ok: false, limit: 'rpm' });
    expect(!refused.ok && refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect((await two.admit('key-2')).ok).toBe(true);
  });

  it('tokens streamed in one process are flushed within moments and refuse new generations in the other', async () => {
    const [one, two] = [await processStore({ tpm: 100 }), await processStore({ tpm: 100 })];
    const streaming = await lease(one);
    for (let i = 0; i < 100; i++) streaming.addTokens(1); // no release: the periodic flush carries them
    // Within a flush interval of the other process (50 ms here), and the time an admit takes.
    await admitUntil(two, refusedBy('tpm'), allowed(admitMs, 50));
  });

  it('a release writes its tokens at once', async () => {
    const [one, two] = [await processStore({ tpm: 10 }, { flushIntervalMs: 60_000 }), await processStore({ tpm: 10 })];
    const finished = await lease(one);
    finished.addTokens(10);
    finished.release();
    await admitUntil(two, refusedBy('tpm'), allowed(admitMs));
  });

  it('keeps every key small and expiring: stale seconds are pruned even with no admit to read them', async () => {
    const one = await processStore({ rpm: 10, tpm: 1_000, concurrent: 2 });
    const redis = new Redis(server.url);
    try {
      const key = `${prefix}tpm:key-1`;
      await redis.hset(key, Object.fromEntries(Array.from({ length: 70 }, (_, i) => [String(1_000 + i), '1'])));
      const finished = await lease(one);
      await lease(one); // still running: its streams key stays
      await redis.hset(key, Object.fromEntries(Array.from({ length: 70 }, (_, i) => [String(2_000 + i), '1'])));
      finished.addTokens(5);
      finished.release();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await redis.hlen(key)).toBe(1);
      for (const limit of ['rpm', 'tpm', 'streams']) {
        expect(await redis.ttl(`${prefix}${limit}:key-1`)).toBeGreaterThan(0);
        expect(await redis.ttl(`${prefix}${limit}:key-1`)).toBeLessThanOrEqual(61);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('two processes share the concurrency count, and a release frees the slot for the other', async () => {
    const [one, two] = [await processStore({ concurrent: 1 }), await processStore({ concurrent: 1 })];
    const running = await lease(one);
    expect(await two.admit('key-1')).toEqual({ ok: false, limit: 'concurrent', retryAfterSeconds: 1 });
    running.release();
    running.release();
    await admitUntil(two, (a) => a.ok, allowed(admitMs));
    expect((await one.admit('key-1')).ok).toBe(false); // released twice, freed once
  });

  it('a lease is renewed while its process lives, and expires after the lease time once the process is gone', async () => {
    const [one, two] = [await processStore({ concurrent: 1 }, { leaseTtlMs: 300 }), await processStore({ concurrent: 1 })];
    await lease(one);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await two.admit('key-1')).ok).toBe(false); // renewed past its 300 ms
    await one.close(); // as if the process died: the lease is never released
    await admitUntil(two, (a) => a.ok, allowed(admitMs, 300));
  });

  it('with Redis gone, "open" answers at once from per-process counts; "closed" refuses as unavailable', async () => {
    // Command timeouts far longer than "at once" may take: an admit that waited on Redis would show.
    const open = await processStore({ rpm: 2 }, { commandTimeoutMs: 10_000 });
    const closed = await processStore({ rpm: 2 }, { failureMode: 'closed', commandTimeoutMs: 10_000 });
    await lease(open, 'before');
    await server.stop();
    const answers: Admission[] = [];
    for (const store of [open, open, open, closed]) {
      const start = Date.now();
      answers.push(await store.admit('during'));
      expect(Date.now() - start).toBeLessThan(allowed(admitMs));
    }
    expect(answers.map((a) => (a.ok ? 'ok' : a.limit))).toEqual(['ok', 'ok', 'rpm', 'unavailable']);
    expect(answers[3]).toEqual({ ok: false, limit: 'unavailable', retryAfterSeconds: 1 });
    expect(logged.filter((l) => l.level === 'warn')).toHaveLength(2); // once per store, not per command
  });

  it('a Redis that stops answering costs one command timeout, and its slot is given back when it answers', async () => {
    // A command timeout long beside what a busy machine adds to an admit, so that one timeout and
    // two tell apart on any machine.
    const timeoutMs = 1_000;
    const one = await processStore({ concurrent: 1 }, { commandTimeoutMs: timeoutMs, probeIntervalMs: 200 });
    const two = await processStore({ concurrent: 1 });
    server.pause();
    let start = Date.now();
    expect((await one.admit('key-1')).ok).toBe(true); // from memory, once the command timed out
    expect(Date.now() - start).toBeLessThan(2 * timeoutMs);
    start = Date.now();
    expect(await one.admit('key-1')).toMatchObject({ ok: false, limit: 'concurrent' }); // memory's own limit
    expect(Date.now() - start).toBeLessThan(timeoutMs); // Redis skipped for a while: no second timeout
    server.resume();
    // The timed-out admit did run in Redis; its slot was removed right behind it.
    await admitUntil(two, (a) => a.ok, allowed(admitMs));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await one.admit('key-2')).ok).toBe(true);
    expect(logged.map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('a Redis that refuses connections: "open" counts in memory, "closed" refuses, both at once', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    // Command timeouts far longer than "at once" may take: an admit that waited on Redis would show.
    const open = createRedisStore({ rpm: 1 }, { url, failureMode: 'open', logger, reconnectMaxDelayMs: 100, commandTimeoutMs: 10_000 });
    const closed = createRedisStore({ rpm: 1 }, { url, failureMode: 'closed', logger, reconnectMaxDelayMs: 100, commandTimeoutMs: 10_000 });
    stores.push(open, closed);
    expect(await open.ready(300)).toBe(false);
    const start = Date.now();
    expect((await open.admit('key-1')).ok).toBe(true);
    expect(await open.admit('key-1')).toMatchObject({ ok: false, limit: 'rpm' });
    expect(await closed.admit('key-1')).toEqual({ ok: false, limit: 'unavailable', retryAfterSeconds: 1 });
    expect(Date.now() - start).toBeLessThan(allowed(admitMs));
    expect(logged.map((l) => l.level)).toEqual(['warn', 'warn']);
  });

  it('when Redis is back, counting is shared again and each store says so once', async () => {
    const one = await processStore({ rpm: 2 });
    const two = await processStore({ rpm: 2 });
    await server.stop();
    expect((await one.admit('during')).ok).toBe(true); // from memory
    await server.restart();
    expect(await one.ready(3_000)).toBe(true);
    expect(await two.ready(3_000)).toBe(true);
    await lease(one, 'after');
    await lease(two, 'after');
    expect(await one.admit('after')).toMatchObject({ ok: false, limit: 'rpm' }); // 1 + 1 counted in Redis
    expect(logged.map((l) => l.level).sort()).toEqual(['info', 'info', 'warn', 'warn']);
  });
});
