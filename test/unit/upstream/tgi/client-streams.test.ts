// What the TGI client does with a stream that is not one: a 200 whose body is
// not an event stream is a protocol failure, its body dropped without leaving
// an error behind that nobody listens to (undici emits one when a body it is
// still delivering is destroyed).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TgiClient } from '../../../../src/upstream/tgi/client.ts';
import { UpstreamError } from '../../../../src/upstream/errors.ts';

describe('TgiClient.generateStream', () => {
  let server: Server;
  let client: TgiClient;
  beforeAll(async () => {
    // A proxy, or a server that is not TGI, answering the stream route with JSON.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"generated_text":"hi"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    client = new TgiClient(`http://127.0.0.1:${port}`, { connectTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a 200 that is not an event stream as a protocol failure, and leaves no unhandled error', async () => {
    const unhandled: unknown[] = [];
    const record = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', record);
    try {
      const refused = await client.generateStream({ prompt: 'x', parameters: {} }, { signal: AbortSignal.timeout(2000) }).then(() => undefined, (e: unknown) => e);
      expect(refused).toBeInstanceOf(UpstreamError);
      expect((refused as UpstreamError).failure).toMatchObject({ kind: 'protocol' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
