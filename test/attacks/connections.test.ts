// Connections that cost their client nothing: idle sockets by the thousand
// from one host, headers or a body trickled a byte at a time, a keep-alive
// connection left open. Each holds a file descriptor of the gateway, so each
// is capped or timed out (small caps and timeouts configured here, so that a
// few dozen loopback connections prove them).
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

/** An idle TCP connection from `from` (any 127.x address is this machine's). */
function openIdle(port: number, from = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The sockets the gateway has closed, once it had `ms` to close them. */
async function closedAfter(sockets: Socket[], ms: number): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return sockets.filter((s) => s.closed || s.readableEnded).length;
}

function watchEnd(socket: Socket): void {
  socket.on('error', () => undefined);
  socket.resume();
}

/** /healthz over a fresh connection from `from`: its status, or 0 when the connection was closed. */
function healthzFrom(port: number, from: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from }, () => {
      socket.write(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += String(chunk)));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

/** Sends `atOnce`, then `trickled` one byte per `everyMs`; resolves with the gateway's answer and how long it took. */
function trickle(port: number, atOnce: string, trickled: string, everyMs: number): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(atOnce));
    let text = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < trickled.length && !socket.destroyed) socket.write(trickled[sent++]!);
    }, everyMs);
    socket.on('data', (chunk: Buffer) => (text += String(chunk)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), ms: performance.now() - started });
    });
  });
}

describe('connections from one address', () => {
  let gateway: GatewayProcess;
  let port: number;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ MAX_CONNECTIONS_PER_ADDRESS: '20', MAX_CONNECTIONS: '60' });
    port = Number(new URL(gateway.url).port);
  });
  afterAll(() => gateway.stop());

  it('past MAX_CONNECTIONS_PER_ADDRESS are closed, while another address is served', async () => {
    const sockets = await Promise.all(Array.from({ length: 50 }, () => openIdle(port, '127.0.0.2')));
    sockets.forEach(watchEnd);
    expect(await closedAfter(sockets, 300)).toBe(30);
    expect(await healthzFrom(port, '127.0.0.3')).toBe(200);
    sockets.forEach((s) => s.destroy());
    // Their places are given back when they close.
    await new Promise((r) => setTimeout(r, 100));
    expect(await healthzFrom(port, '127.0.0.2')).toBe(200);
    expect(alive(gateway)).toBe(true);
  });

  it('count WebSockets as the connections they were upgraded from', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { localAddress: '127.0.0.4' });
      socket.once('open', () => resolve(socket)).once('error', reject);
    })));
    expect(await healthzFrom(port, '127.0.0.4')).toBe(0);
    for (const socket of sockets) socket.terminate();
  });
});

describe('connections in all', () => {
  let gateway: GatewayProcess;
  let port: number;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ MAX_CONNECTIONS: '30' });
    port = Number(new URL(gateway.url).port);
  });
  afterAll(() => gateway.stop());

  it('past MAX_CONNECTIONS are closed at accept, whatever their address', async () => {
    const sockets = await Promise.all(Array.from({ length: 40 }, (_, i) => openIdle(port, `127.0.1.${1 + (i % 20)}`)));
    sockets.forEach(watchEnd);
    expect(await closedAfter(sockets, 300)).toBe(10);
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => setTimeout(r, 100));
    expect(await healthzFrom(port, '127.0.0.1')).toBe(200);
  });
});

describe('slow clients', () => {
  let gateway: GatewayProcess;
  let port: number;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000', KEEP_ALIVE_TIMEOUT_MS: '300' });
    port = Number(new URL(gateway.url).port);
  });
  afterAll(() => gateway.stop());

  it('a body trickled past REQUEST_TIMEOUT_MS gets 408 and loses its connection', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(200) } });
    const head = `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    // Headers at once, then a byte every 50 ms: the body would take over 12 s.
    const slow = await trickle(port, head, body, 50);
    expect(slow.status).toBe(408);
    // Node's default would have held it 300 s; the whole body needed 12 s.
    expect(slow.ms).toBeLessThan(body.length * 50);
  }, 90_000);

  it('headers trickled past HEADERS_TIMEOUT_MS get 408', async () => {
    const head = `GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n${'x-pad: y\r\n'.repeat(100)}\r\n`;
    const slow = await trickle(port, '', head, 20);
    expect(slow.status).toBe(408);
    expect(slow.ms).toBeLessThan(head.length * 20);
  }, 90_000);

  it('an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const socket = await openIdle(port);
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += String(chunk)));
    socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    const started = performance.now();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    // Node's default is 5 s.
    expect(performance.now() - started).toBeLessThan(2500);
  }, 90_000);
});
