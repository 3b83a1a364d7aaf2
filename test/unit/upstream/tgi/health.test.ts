// A replica's health error is shown to clients (ModelHealth.error): it says
// what went wrong in words, never with a library's or the kernel's error code.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TgiClient } from '../../../../src/upstream/tgi/client.ts';

const CODE = /UND_ERR|HPE_|\bE[A-Z]{3,}\b/;

/** A loopback TCP server that treats every connection with `handle`. */
async function tcpServer(handle: (socket: Socket) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

describe('TgiClient.health', () => {
  const open: { server: Server; client: TgiClient }[] = [];
  afterEach(async () => {
    for (const { server, client } of open.splice(0)) {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  const probe = async (handle: (socket: Socket) => void) => {
    const { server, url } = await tcpServer(handle);
    const client = new TgiClient(url, { connectTimeoutMs: 1000 });
    open.push({ server, client });
    return client.health(AbortSignal.timeout(2000));
  };

  it('names no error code when the replica closes the connection without answering', async () => {
    const health = await probe((socket) => socket.destroy());
    expect(health).toMatchObject({ healthy: false, error: 'the connection closed before an answer' });
    expect(health.healthy ? '' : health.error).not.toMatch(CODE);
  });
});
