// What graphql-ws iterates for each operation. graphql-ws calls return() on
// an operation's results when its client sends `complete` (and when the socket
// closes), but only if they are an iterator: a query or a mutation it would
// let run to its end, unheard. As an iterator of one result, it hears the
// client's `complete` too, so every operation's generation ends at once.
import type { ExecutionResult } from 'graphql-ws';
import { isAsyncIterable } from 'graphql-yoga';

type Results = ExecutionResult | AsyncIterable<ExecutionResult>;

type State =
  | { at: 'starting' }
  | { at: 'one'; result: ExecutionResult }
  | { at: 'stream'; events: AsyncIterator<ExecutionResult> }
  /** Completed by the client, failed, or the one result taken. */
  | { at: 'over' };

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

interface Endings {
  /** The client completed the operation before it ended: nothing is yielded after this. */
  completed(): void;
  /** The operation failed to start (a bug: yoga answers even refusals with a result): nothing is yielded. */
  failed(error: unknown): void;
}

/** `results` (a result or a stream, or a promise of one, as yoga's execute and subscribe give them) as one iterator. */
export function untilCompleted(results: Results | Promise<Results>, endings: Endings): AsyncIterableIterator<ExecutionResult, undefined> {
  let state: State = { at: 'starting' };
  /** Settles a first read still waiting for `results` when the client completes. */
  let interrupt: ((done: IteratorReturnResult<undefined>) => void) | undefined;
  // Watched from the start, read or not: a stream made once the client completed is ended, a failure reported.
  const started = Promise.resolve(results).then(
    (value) => {
      if (state.at === 'starting') state = isAsyncIterable<ExecutionResult>(value) ? { at: 'stream', events: value[Symbol.asyncIterator]() } : { at: 'one', result: value };
      else if (isAsyncIterable<ExecutionResult>(value)) void Promise.resolve(value[Symbol.asyncIterator]().return?.()).catch(() => undefined);
    },
    (error: unknown) => {
      if (state.at === 'starting') endings.failed(error);
      state = { at: 'over' };
    },
  );

  const read = (): Promise<IteratorResult<ExecutionResult, undefined>> => {
    switch (state.at) {
      case 'stream':
        return state.events.next();
      case 'one': {
        const { result } = state;
        state = { at: 'over' };
        return Promise.resolve({ done: false, value: result });
      }
      case 'over':
        return Promise.resolve(DONE);
      case 'starting':
        return new Promise((resolve) => {
          interrupt = resolve;
          void started.then(() => {
            interrupt = undefined;
            resolve(read());
          });
        });
    }
  };

  return {
    next: read,
    async return() {
      const was = state;
      state = { at: 'over' };
      if (was.at !== 'over') endings.completed();
      interrupt?.(DONE);
      if (was.at === 'stream') await was.events.return?.();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
