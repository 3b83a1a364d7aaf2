// An operation's one signal fires when its client is gone, with how it left.
import { once } from 'node:events';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hangUpSignal, OperationSignal } from '../../../../src/transport/common/operation-signal.ts';

/** One request to a server that hands its response to `handle`, then lets the client do `client`. */
async function exchange(handle: (res: ServerResponse) => void, client: 'hang up' | 'read the answer'): Promise<void> {
  const server = createServer((_req, res) => handle(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST' });
  req.on('error', () => undefined);
  req.write('part of a body');
  if (client === 'hang up') setTimeout(() => req.destroy(), 50);
  else {
    req.end();
    const [res] = await once(req, 'response');
    res.resume();
    await once(res, 'end');
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  server.closeAllConnections();
  server.close();
}

describe('the operation signal', () => {
  it('fires once, with the first way the client left', () => {
    const operation = new OperationSignal();
    expect(operation.signal.aborted).toBe(false);
    operation.clientGone('completed');
    operation.clientGone('socketClosed');
    expect(operation.signal.reason).toMatchObject({ name: 'AbortError', message: 'the client completed the operation' });
  });

  it('of an HTTP request fires when the client hangs up while its body is still read', async () => {
    let signal: AbortSignal | undefined;
    await exchange((res) => (signal = hangUpSignal(res)), 'hang up');
    expect(signal!.aborted).toBe(true);
    expect(signal!.reason).toMatchObject({ name: 'AbortError', message: 'the client disconnected' });
  });

  it('of an HTTP request does not fire once the response is finished', async () => {
    let signal: AbortSignal | undefined;
    await exchange((res) => {
      signal = hangUpSignal(res);
      res.req.resume();
      res.req.once('end', () => res.end('answer'));
    }, 'read the answer');
    expect(signal!.aborted).toBe(false);
  });
});
