// Frames ready in the same turn of the event loop leave a socket in one write.
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdUntilTurnEnds } from '../../../../src/transport/ws/write-batching.ts';

describe('holdUntilTurnEnds', () => {
  const server = createServer((socket) => socket.resume());
  let client: Socket;
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = connect((server.address() as { port: number }).port, '127.0.0.1');
    await once(client, 'connect');
  });
  afterAll(() => {
    client.destroy();
    server.close();
  });

  /** How many times the socket handed bytes to the kernel while `act` ran and the turn ended. */
  async function writesDuring(act: () => void): Promise<number> {
    let writes = 0;
    const socket = client as Socket & { _writev: (...args: unknown[]) => void; _write: (...args: unknown[]) => void };
    const writev = socket._writev;
    const write = socket._write;
    socket._writev = (...args) => { writes += 1; writev.apply(socket, args); };
    socket._write = (...args) => { writes += 1; write.apply(socket, args); };
    try {
      act();
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      socket._writev = writev;
      socket._write = write;
    }
    return writes;
  }

  it('sends each frame on its own without it', async () => {
    expect(await writesDuring(() => {
      for (let i = 0; i < 5; i++) client.write(`frame ${i}\n`);
    })).toBeGreaterThan(1);
  });

  it('sends the frames of one turn in one write, at the end of the turn', async () => {
    let flushedInTurn = true;
    const writes = await writesDuring(() => {
      for (let i = 0; i < 5; i++) {
        holdUntilTurnEnds(client);
        client.write(`frame ${i}\n`);
      }
      flushedInTurn = client.writableLength === 0;
    });
    expect(flushedInTurn).toBe(false);
    expect(writes).toBe(1);
    expect(client.writableLength).toBe(0);
  });

  it('leaves a destroyed socket alone', () => {
    const gone = connect(1, '127.0.0.1').on('error', () => {});
    gone.destroy();
    expect(() => holdUntilTurnEnds(gone)).not.toThrow();
  });
});
