// The bridge from a resumable generation's follower to a GraphQL
// subscription, beside stream-relay.ts for streams that are not resumable.
// How the subscription ends decides what becomes of the generation: a lost
// transport (a socket closed, an SSE connection dropped) detaches the
// follower and the generation runs on for a resume; anything else that ends
// it (graphql-ws `complete`, an unsubscribe, return()) is the client saying
// stop. Both are read off the operation's one signal, which the transport
// fires with its reason before it returns the iterator.
import { tagRequest } from '../errors.ts';
import type { Reader } from '../generation/resume/follower.ts';
import { isTransportLost } from '../lib/transport-lost.ts';
import type { GatewayContext } from './context.ts';
import type { StreamItem } from './stream-relay.ts';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export function followStream<E>(
  ctx: GatewayContext,
  modelId: string,
  generationId: string,
  follower: Reader<E>,
): AsyncIterableIterator<StreamItem<E>, undefined> {
  let finished = false;
  let settle: (() => void) | undefined;
  // Shutdown waits for this from the first read on, as for a relayed stream.
  const track = () => {
    if (settle || finished) return;
    ctx.services.streams.track(new Promise<void>((resolve) => (settle = resolve)));
  };
  const leave = () => {
    if (isTransportLost(ctx.signal.reason)) follower.detach();
    else follower.stop();
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    ctx.signal.removeEventListener('abort', onAbort);
    settle?.();
  };
  // Over SSE nobody calls next() or return() again once the client is gone: the signal is all there is.
  const onAbort = () => {
    leave();
    finish();
  };
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  return {
    async next(): Promise<IteratorResult<StreamItem<E>, undefined>> {
      if (finished) return DONE;
      track();
      const read = await follower.next();
      if (read.done) {
        finish();
        return DONE;
      }
      const item = read.value;
      // A failure is one payload with the error; the follower is over, so the next read ends it.
      if ('failure' in item) return { done: false, value: { error: tagRequest(item.failure, ctx.requestId) } };
      return { done: false, value: { modelId, generationId, index: item.index, event: item.event } };
    },
    async return(): Promise<IteratorResult<StreamItem<E>, undefined>> {
      leave();
      finish();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
