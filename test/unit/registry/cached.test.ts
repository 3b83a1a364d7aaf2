import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Cached } from '../../../src/registry/cached.ts';

/** A load function whose calls are counted and each settled by the test. */
function loader<T>() {
  const calls: { resolve: (value: T) => void; reject: (error: Error) => void }[] = [];
  const load = (): Promise<T> => new Promise<T>((resolve, reject) => calls.push({ resolve, reject }));
  return { load, calls };
}

/** A load function that answers at once with 1, 2, 3… */
function counter() {
  let loads = 0;
  return { load: async () => ++loads, loads: () => loads };
}

describe('Cached', () => {
  it('shares one load among concurrent get() calls', async () => {
    const { load, calls } = loader<string>();
    const cached = new Cached(load, 1000);
    const all = Promise.all([cached.get(), cached.get(), cached.get()]);
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('v1');
    expect(await all).toEqual(['v1', 'v1', 'v1']);
  });

  it('reuses the value while it is fresh', async () => {
    const { load, loads } = counter();
    const cached = new Cached(load, 1000);
    expect(await cached.get()).toBe(1);
    expect(await cached.get()).toBe(1);
    expect(loads()).toBe(1);
  });

  it('loads again once the TTL has passed', async () => {
    const { load, loads } = counter();
    const cached = new Cached(load, 20);
    expect(await cached.get()).toBe(1);
    await sleep(40);
    expect(await cached.get()).toBe(2);
    expect(loads()).toBe(2);
  });

  it('with a TTL of 0, loads on every get()', async () => {
    const { load } = counter();
    const cached = new Cached(load, 0);
    expect(await cached.get()).toBe(1);
    expect(await cached.get()).toBe(2);
  });

  it('does not cache a failed load: the next get() loads again', async () => {
    const { load, calls } = loader<string>();
    const cached = new Cached(load, 1000);
    const first = Promise.all([cached.get(), cached.get()]);
    calls[0]!.reject(new Error('down'));
    await expect(first).rejects.toThrow('down');
    expect(cached.peek()).toBeUndefined();
    const second = cached.get();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('up');
    expect(await second).toBe('up');
  });

  it('keeps the last good value for peek() when a reload fails', async () => {
    const { load, calls } = loader<string>();
    const cached = new Cached(load, 0);
    const first = cached.get();
    calls[0]!.resolve('good');
    await first;
    const second = cached.get();
    calls[1]!.reject(new Error('down'));
    await expect(second).rejects.toThrow('down');
    expect(cached.peek()).toBe('good');
  });

  it('refresh() loads now even when fresh, sharing a load in flight', async () => {
    const { load, calls } = loader<number>();
    const cached = new Cached(load, 60_000);
    const first = cached.get();
    calls[0]!.resolve(1);
    await first;
    const a = cached.refresh();
    const b = cached.get(); // still fresh: the cached value, not the load
    const c = cached.refresh();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(2);
    expect(await Promise.all([a, b, c])).toEqual([2, 1, 2]);
    expect(await cached.get()).toBe(2);
  });

  it('peek() never loads; invalidate() makes the next get() load', async () => {
    const { load, loads } = counter();
    const cached = new Cached(load, 60_000);
    expect(cached.peek()).toBeUndefined();
    expect(loads()).toBe(0);
    await cached.get();
    cached.invalidate();
    expect(cached.peek()).toBeUndefined();
    expect(await cached.get()).toBe(2);
  });
});
