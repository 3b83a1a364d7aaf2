// The bridge from the generation service's token stream to a GraphQL
// subscription. A Repeater, not an async generator: graphql-ws and yoga end a
// subscription by calling return(), which must abort the upstream request at
// once, even while a read from TGI is pending.
import { Repeater } from 'graphql-yoga';
import type { PreparedGeneration } from '../generation/service.ts';
import type { StreamToken } from '../tgi/types.ts';
import type { GatewayContext } from './context.ts';

export type StreamItem = { modelId: string; token: StreamToken } | { error: unknown };

type Executor = ConstructorParameters<typeof Repeater<StreamItem>>[0];
type Push = Parameters<Executor>[0];
type Stop = Parameters<Executor>[1];

const CLIENT_LEFT = new DOMException('the client ended the subscription', 'AbortError');

export function relayTokens(ctx: GatewayContext, prepared: PreparedGeneration): Repeater<StreamItem> {
  return new Repeater<StreamItem>((push, stop) => {
    const relay = run(push, stop);
    ctx.services.streams.track(relay);
    return relay;
  });

  async function run(push: Push, stop: Stop): Promise<void> {
    const controller = new AbortController();
    const leave = () => controller.abort(CLIENT_LEFT);
    ctx.signal.addEventListener('abort', leave, { once: true });
    void stop.then(leave);
    const modelId = prepared.model.id;
    try {
      const tokens = ctx.services.generation.stream(prepared, { signal: controller.signal, requestId: ctx.requestId });
      for await (const token of tokens) await push({ modelId, token });
    } catch (error) {
      // Nobody is listening any more when the client itself left.
      if (!controller.signal.aborted) await push({ error });
    } finally {
      ctx.signal.removeEventListener('abort', leave);
    }
    stop();
  }
}
