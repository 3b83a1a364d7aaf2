// The resume core (src/generation/resume/) on streams fed by hand: the seam
// between replayed and live events, the byte bound, the pump keeping pace
// with attached readers, expiry, stops and ownership.
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../src/access/caller.ts';
import { GatewayError } from '../../../src/errors.ts';
import type { Follower, FollowedItem } from '../../../src/generation/resume/follower.ts';
import { ResumeTable, Resumes } from '../../../src/generation/resume/resumes.ts';
import type { GenerationStream } from '../../../src/generation/service.ts';

/** A generation's events, produced when the test says so; it records whether it was cancelled. */
class FedStream implements GenerationStream<string> {
  cancelled: unknown = undefined;
  reads = 0;
  readonly #queue: IteratorResult<string, void>[] = [];
  #failure: unknown;
  #waiting: PromiseWithResolvers<void> | undefined;

  push(...events: string[]): void {
    for (const event of events) this.#queue.push({ done: false, value: event });
    this.#wake();
  }

  end(): void {
    this.#queue.push({ done: true, value: undefined });
    this.#wake();
  }

  fail(error: unknown): void {
    this.#failure = error;
    this.#wake();
  }

  cancel(reason: unknown): void {
    this.cancelled ??= reason;
    this.fail(reason);
  }

  async next(): Promise<IteratorResult<string, void>> {
    this.reads += 1;
    for (;;) {
      const queued = this.#queue.shift();
      if (queued) return queued;
      if (this.#failure !== undefined) throw this.#failure;
      this.#waiting = Promise.withResolvers();
      await this.#waiting.promise;
    }
  }

  async return(): Promise<IteratorResult<string, void>> {
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<string, void>> {
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {}

  #wake(): void {
    this.#waiting?.resolve();
  }
}

const alice: Caller = { kind: 'key', id: 'key:alice', models: null };
const bob: Caller = { kind: 'key', id: 'key:bob', models: null };
const somebody: Caller = { kind: 'anonymous', id: 'ip:10.0.0.1' };
const elsewhere: Caller = { kind: 'anonymous', id: 'ip:10.9.9.9' };

const table = (settings: { resumeMs?: number; maxBytes?: number } = {}) =>
  new ResumeTable<string>('generate', { resumeMs: 60_000, maxBytes: 1 << 20, ...settings }, (event) => event.length, undefined);

/** Reads `n` items (fewer if the follower ends). */
async function take(follower: Follower<string>, n: number): Promise<FollowedItem<string>[]> {
  const items: FollowedItem<string>[] = [];
  while (items.length < n) {
    const read = await follower.next();
    if (read.done) break;
    items.push(read.value);
  }
  return items;
}

const events = (items: FollowedItem<string>[]) => items.map((item) => ('event' in item ? [item.index, item.event] : ['failure']));
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as GatewayError).code;
  }
  return 'no error';
};

describe('the seam between replay and live events', () => {
  it('hands over an event that arrives while the replay is being read, once, in its place', async () => {
    const stream = new FedStream();
    const resumes = table();
    const { generationId, follower } = resumes.start(somebody, 'm', stream);
    stream.push('a', 'b', 'c');
    expect(events(await take(follower, 2))).toEqual([[1, 'a'], [2, 'b']]);
    follower.detach();
    const again = resumes.follow(somebody, generationId, 1).follower;
    expect(events(await take(again, 1))).toEqual([[2, 'b']]); // replayed
    stream.push('d'); // live, while the replay is not over
    expect(events(await take(again, 2))).toEqual([[3, 'c'], [4, 'd']]);
    const pending = take(again, 2); // waits at the head for what comes next
    stream.push('e');
    stream.end();
    expect(events(await pending)).toEqual([[5, 'e']]);
  });

  it('gives every client the whole generation exactly once, whatever the interleaving of drops, resumes and events', async () => {
    // A step: the upstream produces an event, the client reads one, or its transport drops and it resumes.
    const step = fc.constantFrom('produce', 'read', 'drop');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 80, size: 'max' }), async (steps) => {
        const stream = new FedStream();
        const resumes = table();
        const started = resumes.start(somebody, 'm', stream);
        let follower = started.follower;
        const produced: string[] = [];
        const received: [number, string][] = [];
        const readOne = async () => {
          // Only what is there: a read never waits here (the test would hang).
          if (received.length === produced.length) return;
          const read = await follower.next();
          if (!read.done && 'event' in read.value) received.push([read.value.index, read.value.event]);
        };
        for (const what of steps) {
          if (what === 'produce') {
            produced.push(`t${produced.length + 1}`);
            stream.push(produced.at(-1)!);
            await sleep(0); // the pump takes it
          } else if (what === 'read') await readOne();
          else {
            follower.detach();
            follower = resumes.follow(somebody, started.generationId, received.at(-1)?.[0] ?? 0).follower;
          }
        }
        stream.end();
        for (let read = await follower.next(); !read.done; read = await follower.next()) {
          if ('event' in read.value) received.push([read.value.index, read.value.event]);
        }
        expect(received).toEqual(produced.map((text, i) => [i + 1, text]));
      }),
      { numRuns: 200 },
    );
  });
});

describe('bounds', () => {
  it('keeps at most maxBytes of events, the newest; a resume before them is GENERATION_EXPIRED', async () => {
    const stream = new FedStream();
    const resumes = table({ maxBytes: 10 });
    const { generationId, follower } = resumes.start(somebody, 'm', stream);
    const first = follower.next(); // starts the pump
    follower.detach();
    await first;
    stream.push('aaaa', 'bbbb', 'cccc', 'dddd');
    stream.end();
    await sleep(5);
    expect(codeOf(() => resumes.follow(somebody, generationId, 0))).toBe('GENERATION_EXPIRED');
    const kept = resumes.follow(somebody, generationId, 2).follower;
    expect(events(await take(kept, 5))).toEqual([[3, 'cccc'], [4, 'dddd']]);
  });

  it('holds the upstream back while an attached reader has half the bound unread, not while it is detached', async () => {
    const stream = new FedStream();
    const resumes = table({ maxBytes: 20 });
    const { follower } = resumes.start(somebody, 'm', stream);
    const twelve = '0123456789ab';
    stream.push(twelve, twelve, twelve);
    await take(follower, 1); // the pump starts; this reader then stops reading
    await sleep(5);
    expect(stream.reads).toBe(2); // the second event left it 12 bytes (over 10) behind: no third read
    await take(follower, 1);
    await sleep(5);
    expect(stream.reads).toBe(3);
    follower.detach();
    stream.push(twelve, twelve, twelve);
    await sleep(5);
    expect(stream.reads).toBe(7); // detached: it reads at the server's pace, into the bounded log
    stream.end();
  });
});

describe('ends', () => {
  it('stops the upstream when nobody has been attached for the resume time, and forgets it at once', async () => {
    const stream = new FedStream();
    const resumes = table({ resumeMs: 20 });
    const { follower } = resumes.start(somebody, 'm', stream);
    stream.push('a');
    await take(follower, 1);
    follower.detach();
    await sleep(10);
    expect(stream.cancelled).toBeUndefined();
    await sleep(60);
    expect(stream.cancelled).toBeInstanceOf(DOMException);
    expect(resumes.size).toBe(0);
  });

  it('holds nothing for a reader that never reads: the generation never starts and is forgotten after the resume time', async () => {
    const stream = new FedStream();
    const resumes = table({ resumeMs: 20 });
    resumes.start(somebody, 'm', stream);
    await sleep(80);
    expect(stream.reads).toBe(0);
    expect(stream.cancelled).toBeInstanceOf(DOMException);
    expect(resumes.size).toBe(0);
  });

  it('keeps an ended generation readable for the resume time, then forgets it', async () => {
    const stream = new FedStream();
    const resumes = table({ resumeMs: 30 });
    const { generationId, follower } = resumes.start(somebody, 'm', stream);
    stream.push('a');
    stream.end();
    expect(await take(follower, 5)).toHaveLength(1);
    expect(events(await take(resumes.follow(somebody, generationId, 0).follower, 5))).toEqual([[1, 'a']]);
    await sleep(80);
    expect(codeOf(() => resumes.follow(somebody, generationId, 0))).toBe('GENERATION_NOT_FOUND');
    expect(resumes.size).toBe(0);
  });

  it('stops the upstream when the last attached reader stops, not before', async () => {
    const stream = new FedStream();
    const resumes = table();
    const { generationId, follower: first } = resumes.start(somebody, 'm', stream);
    const second = resumes.follow(somebody, generationId, 0).follower;
    stream.push('a', 'b');
    await take(first, 1);
    expect(events(await take(second, 1))).toEqual([[1, 'a']]);
    first.stop();
    await sleep(1);
    expect(stream.cancelled).toBeUndefined();
    expect(events(await take(second, 1))).toEqual([[2, 'b']]);
    second.stop();
    expect(stream.cancelled).toBeInstanceOf(DOMException);
  });

  it('replays a failed generation\'s events, then its failure', async () => {
    const stream = new FedStream();
    const resumes = table();
    const { generationId, follower } = resumes.start(somebody, 'm', stream);
    stream.push('a');
    await take(follower, 1);
    follower.detach();
    const failure = new GatewayError('UPSTREAM_ERROR', 'the model server broke off the stream');
    stream.fail(failure);
    await sleep(1);
    const replay = await take(resumes.follow(somebody, generationId, 0).follower, 5);
    expect(replay).toEqual([{ index: 1, event: 'a' }, { failure }]);
  });

  it('ends detached generations with GATEWAY_SHUTTING_DOWN when a drain starts, attached ones run on', async () => {
    const resumes = new Resumes({ resumeMs: 60_000, maxBytes: 1 << 20 });
    const detached = new FedStream() as unknown as GenerationStream<never>;
    const attached = new FedStream() as unknown as GenerationStream<never>;
    const a = resumes.generate.start(somebody, 'm', detached);
    const b = resumes.generate.start(somebody, 'm', attached);
    void a.follower.next();
    void b.follower.next();
    a.follower.detach();
    resumes.drain();
    expect(((detached as unknown as FedStream).cancelled as GatewayError).code).toBe('GATEWAY_SHUTTING_DOWN');
    expect((attached as unknown as FedStream).cancelled).toBeUndefined();
    await resumes.close();
    expect((attached as unknown as FedStream).cancelled).toBeDefined();
  });
});

describe('ownership', () => {
  it('with keys, only the starting key resumes or cancels; any other gets GENERATION_NOT_FOUND', async () => {
    const resumes = new Resumes({ resumeMs: 60_000, maxBytes: 1 << 20 });
    const { generationId } = resumes.chat.start(alice, 'm', new FedStream() as unknown as GenerationStream<never>);
    expect(codeOf(() => resumes.chat.follow(bob, generationId, 0))).toBe('GENERATION_NOT_FOUND');
    await expect(resumes.cancel(bob, generationId)).rejects.toMatchObject({ code: 'GENERATION_NOT_FOUND' });
    expect(codeOf(() => resumes.chat.follow(alice, generationId, 0))).toBe('no error');
    expect(await resumes.cancel(alice, generationId)).toBe(true);
    await resumes.close();
  });

  it('without keys, the id is the capability: a client on another address resumes it', () => {
    const resumes = table();
    const { generationId } = resumes.start(somebody, 'm', new FedStream());
    expect(codeOf(() => resumes.follow(elsewhere, generationId, 0))).toBe('no error');
  });
});
