// The bridge from the generation service's token stream to a GraphQL
// subscription. graphql-ws and yoga end a subscription by calling return(),
// which must abort the upstream request at once, even while a read from TGI
// is pending: a native async generator would queue that return() behind the
// read (the "stalled return()" trap). So return() first cancels the
// generation (its one signal fires, undici destroys the upstream socket, the
// pending read rejects), then returns the stream. The client leaving by the
// operation's signal needs nothing from here: the generation follows that
// signal itself. This iterator is pull-based (one token read per next(), so a
// slow client holds TGI back through TCP) and allocates one small object per
// event. The same bridge serves token streams and chat streams.
import { tagRequest } from '../errors.ts';
import { newGenerationId } from '../generation/resume/generation-id.ts';
import type { GenerationStream } from '../generation/service.ts';
import type { GatewayContext } from './context.ts';

/** One event of the stream, numbered from 1, or the failure that ended it. */
export type StreamItem<E> = { modelId: string; generationId: string; index: number; event: E } | { error: unknown };

const CLIENT_LEFT = new DOMException('the client ended the subscription', 'AbortError');
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export function relayStream<E>(
  ctx: GatewayContext,
  modelId: string,
  tokens: GenerationStream<E>,
  generationId: string = newGenerationId(),
): AsyncIterableIterator<StreamItem<E>, undefined> {
  let index = 0;
  let finished = false;
  let failed = false;
  let settle: (() => void) | undefined;
  // Shutdown waits for this from the first read on (before it, nothing runs, and a transport
  // that never reads, like yoga answering 406 to a subscription over plain JSON, owes nothing).
  const track = () => {
    if (settle || finished) return;
    ctx.services.streams.track(new Promise<void>((resolve) => (settle = resolve)));
  };
  // Also when the client is gone: over SSE nobody may call next() or return() again.
  const finish = () => {
    if (finished) return;
    finished = true;
    ctx.signal.removeEventListener('abort', finish);
    settle?.();
  };
  if (ctx.signal.aborted) finish();
  else ctx.signal.addEventListener('abort', finish, { once: true });

  return {
    async next(): Promise<IteratorResult<StreamItem<E>, undefined>> {
      if (finished) return DONE;
      track();
      if (failed) {
        finish(); // the error payload was taken: the subscription is over
        return DONE;
      }
      try {
        const read = await tokens.next();
        if (!read.done) return { done: false, value: { modelId, generationId, index: ++index, event: read.value } };
      } catch (error) {
        // A failure once the stream started is one payload with the error, then the end;
        // nobody is listening any more when the client itself left.
        if (!finished) {
          failed = true;
          return { done: false, value: { error: tagRequest(error, ctx.requestId) } };
        }
      }
      finish();
      return DONE;
    },
    async return(): Promise<IteratorResult<StreamItem<E>, undefined>> {
      finish();
      tokens.cancel(CLIENT_LEFT); // a pending read rejects now, and undici destroys TGI's socket
      await tokens.return(undefined).catch(() => undefined);
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
