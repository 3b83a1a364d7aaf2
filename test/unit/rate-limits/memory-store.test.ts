// The in-memory rate-limit store, on a clock the tests move by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, type MemoryStore } from '../../../src/rate-limits/memory-store.ts';
import type { Admission, Lease, RateLimits } from '../../../src/rate-limits/types.ts';

let now = 0;
const clock = (): number => now;
const stores: MemoryStore[] = [];

function store(limits: RateLimits, maxSubjects?: number): MemoryStore {
  const created = createMemoryStore(limits, { clock, sweepIntervalMs: 0, maxSubjects });
  stores.push(created);
  return created;
}

async function lease(limits: MemoryStore, subject = 'key-1'): Promise<Lease> {
  const admission = await limits.admit(subject);
  if (!admission.ok) throw new Error(`refused: ${admission.limit}`);
  return admission.lease;
}

const refused = (limit: string, retryAfterSeconds: number): Admission =>
  ({ ok: false, limit, retryAfterSeconds }) as Admission;

beforeEach(() => {
  now = 1_000_000; // the start of a second: the waits below count from here
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('requests per minute', () => {
  it('admits rpm requests in a minute and refuses the next until the oldest leaves the window', async () => {
    const limits = store({ rpm: 3 });
    await lease(limits);
    now += 10_000;
    await lease(limits);
    await lease(limits);
    expect(await limits.admit('key-1')).toEqual(refused('rpm', 50));
    now += 49_000;
    expect(await limits.admit('key-1')).toEqual(refused('rpm', 1));
    now += 1_000; // 60 s after the first request
    expect((await limits.admit('key-1')).ok).toBe(true);
  });

  it('counts only admitted requests: refusals do not extend the wait', async () => {
    const limits = store({ rpm: 1 });
    await lease(limits);
    for (let i = 0; i < 5; i++) await limits.admit('key-1');
    now += 60_000;
    expect((await limits.admit('key-1')).ok).toBe(true);
  });

  it('rounds the wait up to whole seconds, never below 1', async () => {
    const limits = store({ rpm: 1 });
    now += 999; // late in a second: its bucket leaves the window 59.001 s from now
    await lease(limits);
    expect(await limits.admit('key-1')).toEqual(refused('rpm', 60));
    now += 59_000;
    expect(await limits.admit('key-1')).toEqual(refused('rpm', 1));
  });
});

describe('tokens per minute', () => {
  it('charges the tokens of leases and refuses once the window holds tpm tokens', async () => {
    const limits = store({ tpm: 100 });
    const first = await lease(limits);
    first.addTokens(60);
    now += 20_000;
    first.addTokens(39);
    expect((await limits.admit('key-1')).ok).toBe(true); // 99 < 100
    first.addTokens(1);
    expect(await limits.admit('key-1')).toEqual(refused('tpm', 40));
    now += 40_000; // the first 60 tokens leave
    expect((await limits.admit('key-1')).ok).toBe(true);
  });

  it('never cuts a running stream: its tokens keep counting past the limit', async () => {
    const limits = store({ tpm: 10 });
    const running = await lease(limits);
    running.addTokens(25);
    expect(await limits.admit('key-1')).toEqual(refused('tpm', 60));
    expect(() => running.addTokens(5)).not.toThrow();
    now += 60_000;
    expect((await limits.admit('key-1')).ok).toBe(true);
  });

  it('ignores counts that are not positive numbers', async () => {
    const limits = store({ tpm: 10 });
    const running = await lease(limits);
    for (const n of [0, -5, Number.NaN]) running.addTokens(n);
    running.addTokens(9);
    expect((await limits.admit('key-1')).ok).toBe(true);
  });
});

describe('concurrent generations', () => {
  it('refuses past the limit with a 1 s wait, and a release frees the slot', async () => {
    const limits = store({ concurrent: 2 });
    const first = await lease(limits);
    await lease(limits);
    expect(await limits.admit('key-1')).toEqual(refused('concurrent', 1));
    first.release();
    expect((await limits.admit('key-1')).ok).toBe(true);
  });

  it('a second release of the same lease frees nothing more, and its later tokens are ignored', async () => {
    const limits = store({ concurrent: 1, tpm: 10 });
    const first = await lease(limits);
    first.release();
    first.release();
    const second = await lease(limits);
    first.addTokens(50);
    expect(await limits.admit('key-1')).toEqual(refused('concurrent', 1));
    second.release();
    expect((await limits.admit('key-1')).ok).toBe(true);
  });
});

describe('several limits and subjects', () => {
  it('counts each subject on its own', async () => {
    const limits = store({ rpm: 1, concurrent: 1 });
    await lease(limits, 'key-1');
    expect((await limits.admit('key-1')).ok).toBe(false);
    expect((await limits.admit('key-2')).ok).toBe(true);
  });

  it('when several limits refuse, names the one with the longest wait', async () => {
    const limits = store({ rpm: 1, concurrent: 1 });
    await lease(limits);
    expect(await limits.admit('key-1')).toEqual(refused('rpm', 60));
  });

  it('with every limit off, admits at once with a lease that does nothing, tracking no one', async () => {
    const limits = store({});
    const admissions = await Promise.all([limits.admit('a'), limits.admit('a'), limits.admit('b')]);
    expect(admissions.every((a) => a.ok)).toBe(true);
    expect(limits.admit('a')).toBe(limits.admit('b')); // one shared resolved promise
    expect(limits.subjects).toBe(0);
  });
});

describe('memory stays bounded', () => {
  it('forgets subjects with nothing in the window and no open lease', async () => {
    const limits = store({ rpm: 10, tpm: 100, concurrent: 5 });
    for (let i = 0; i < 1000; i++) (await lease(limits, `10.0.${i >> 8}.${i & 255}`)).release();
    const streaming = await lease(limits, 'still-streaming');
    expect(limits.subjects).toBe(1001);
    now += 59_000;
    limits.sweep();
    expect(limits.subjects).toBe(1001); // still in the window
    now += 1_000;
    limits.sweep();
    expect(limits.subjects).toBe(1); // the open lease keeps its subject
    streaming.release();
    limits.sweep();
    expect(limits.subjects).toBe(0);
  });

  it('past the cap, a new subject evicts the least recently admitted one that holds no lease', async () => {
    const limits = store({ rpm: 1, concurrent: 1 }, 3);
    await lease(limits, 'streaming'); // held: never evicted
    (await lease(limits, 'old')).release();
    (await lease(limits, 'recent')).release();
    expect((await limits.admit('new')).ok).toBe(true);
    expect(limits.subjects).toBe(3);
    expect((await limits.admit('recent')).ok).toBe(false); // still counted
    expect((await limits.admit('streaming')).ok).toBe(false);
    expect((await limits.admit('old')).ok).toBe(true); // forgotten, so it started afresh
  });

  it('refuses a new subject as unavailable when every tracked subject holds a lease', async () => {
    const limits = store({ concurrent: 1 }, 2);
    await lease(limits, 'a');
    await lease(limits, 'b');
    expect(await limits.admit('c')).toEqual(refused('unavailable', 1));
    expect(limits.subjects).toBe(2);
  });
});
