// What graphql-ws iterates for an operation: the client's `complete` (its
// return()) is heard whether the operation is a stream or one result, and
// nothing is yielded after it.
import type { ExecutionResult } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { untilCompleted } from '../../../../src/transport/ws/until-completed.ts';

const result = (n: number): ExecutionResult => ({ data: { n } });

function watched() {
  const told: string[] = [];
  return { told, endings: { completed: () => void told.push('completed'), failed: (e: unknown) => void told.push(`failed: ${String(e)}`) } };
}

/** A stream of `n` results that says when it was returned. */
function stream(n: number, told: string[]): AsyncIterable<ExecutionResult> {
  let i = 0;
  return {
    [Symbol.asyncIterator]: () => ({
      next: async () => (i < n ? { done: false, value: result(++i) } : { done: true, value: undefined }),
      return: async () => {
        told.push('stream returned');
        return { done: true, value: undefined };
      },
    }),
  };
}

describe('untilCompleted', () => {
  it('yields one result, then ends, telling nothing', async () => {
    const { told, endings } = watched();
    const results = untilCompleted(Promise.resolve(result(1)), endings);
    expect(await results.next()).toEqual({ done: false, value: result(1) });
    expect(await results.next()).toEqual({ done: true, value: undefined });
    await results.return!();
    expect(told).toEqual([]);
  });

  it('hears the client complete a result still being made: the read waiting for it ends, the result is dropped', async () => {
    const { told, endings } = watched();
    let answer!: (r: ExecutionResult) => void;
    const results = untilCompleted(new Promise<ExecutionResult>((resolve) => (answer = resolve)), endings);
    const read = results.next();
    await results.return!();
    expect(await read).toEqual({ done: true, value: undefined });
    answer(result(1));
    expect(await results.next()).toEqual({ done: true, value: undefined });
    expect(told).toEqual(['completed']);
  });

  it('passes a stream through, and the client\'s complete to it', async () => {
    const { told, endings } = watched();
    const results = untilCompleted(Promise.resolve(stream(3, told)), endings);
    expect((await results.next()).value).toEqual(result(1));
    expect((await results.next()).value).toEqual(result(2));
    await results.return!();
    expect(told).toEqual(['completed', 'stream returned']);
    expect(await results.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a stream made after the client completed, unread', async () => {
    const { told, endings } = watched();
    let made!: (s: AsyncIterable<ExecutionResult>) => void;
    const results = untilCompleted(new Promise<AsyncIterable<ExecutionResult>>((resolve) => (made = resolve)), endings);
    await results.return!();
    made(stream(3, told));
    await new Promise((resolve) => setImmediate(resolve));
    expect(told).toEqual(['completed', 'stream returned']);
  });

  it('reports an operation that failed to start, read or not, and yields nothing', async () => {
    const { told, endings } = watched();
    const results = untilCompleted(Promise.reject(new Error('a bug')), endings);
    await new Promise((resolve) => setImmediate(resolve));
    expect(told).toEqual(['failed: Error: a bug']);
    expect(await results.next()).toEqual({ done: true, value: undefined });
  });
});
