// Each worker holds its share of the connection caps, so that WORKERS=N
// processes together hold what the settings say, not N times it.
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { limitConnections } from '../../../../src/transport/common/connection-limits.ts';

const limits = { maxConnections: 100, maxPerAddress: 4, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

let server: Server;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function listening(workers: number): Promise<number> {
  server = createServer((_req, res) => res.end('ok'));
  limitConnections(server, limits, workers);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Opens `count` connections in turn and tells which ones the server kept (a cut one is closed at once). */
async function kept(port: number, count: number): Promise<boolean[]> {
  const result: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    // A kept connection answers a request; a cut one ends before it can.
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    result.push(await new Promise<boolean>((resolve) => {
      socket.once('data', () => resolve(true));
      socket.once('close', () => resolve(false));
    }));
  }
  return result;
}

describe('connection caps', () => {
  it('keep MAX_CONNECTIONS_PER_ADDRESS connections from one address in a single process', async () => {
    expect(await kept(await listening(1), 5)).toEqual([true, true, true, true, false]);
  });

  it('give each of WORKERS=2 processes half of the per-address cap', async () => {
    expect(await kept(await listening(2), 3)).toEqual([true, true, false]);
  });
});
