import { once } from 'node:events';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { GenerationStream } from '../../../../src/generation/service.ts';
import { frame, sendChunkStream, type ChunkShape } from '../../../../src/transport/v1/event-stream.ts';

const SHAPE: ChunkShape<string> = {
  opening: [],
  frames: (event) => frame({ text: event }),
  usage: () => null,
  usageChunk: () => ({}),
};

/** A stream whose events are handed out one by one by the test; it records its cancellation. */
function handedStream() {
  const waiting: ((result: IteratorResult<string, void>) => void)[] = [];
  const cancelled: unknown[] = [];
  const stream = {
    next: () => new Promise<IteratorResult<string, void>>((resolve) => waiting.push(resolve)),
    return: async () => ({ done: true as const, value: undefined }),
    throw: async (error: unknown) => Promise.reject(error),
    cancel: (reason: unknown) => cancelled.push(reason),
    [Symbol.asyncIterator]() {
      return this;
    },
    [Symbol.asyncDispose]: async () => undefined,
  } as unknown as GenerationStream<string>;
  const hand = async (event: string) => {
    while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    waiting.shift()!({ done: false, value: event });
  };
  return { stream, hand, cancelled };
}

describe('a /v1 chunk stream whose client leaves', () => {
  it('settles and cancels the generation when an event arrives after the client left', async () => {
    const { stream, hand, cancelled } = handedStream();
    let sending: Promise<void> | undefined;
    let response: ServerResponse | undefined;
    const controller = new AbortController();
    const server = createServer((_req, res) => {
      response = res;
      // The operation's signal, as the gateway's: it fires when the response closes before its end.
      res.on('close', () => {
        if (!res.writableFinished) controller.abort(new Error('the client left'));
      });
      sending = sendChunkStream(res, stream, SHAPE, false, controller.signal);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/' });
      req.end();
      await hand('first');
      const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
      await once(res, 'data');
      req.destroy();
      await once(response!, 'close');
      expect(controller.signal.aborted).toBe(true);
      // An event the generation produced meanwhile (the last one of a tool call waits on its check).
      await hand('late');
      await expect(Promise.race([sending!.then(() => 'settled'), new Promise((resolve) => setTimeout(resolve, 5000, 'hung'))])).resolves.toBe('settled');
      expect(cancelled).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
