// A client that asks to upgrade a wrong path (or from a refused origin) and
// resets the connection must not take the process down: every socket the
// gateway writes to has an error listener.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, slowestHealthzDuring, startGatewayProcess, type GatewayProcess } from './gateway-process.ts';

/** Asks for a WebSocket upgrade, then resets the connection as soon as the request is out. */
function upgradeAndReset(port: number, path: string, origin?: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
          `sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          (origin ? `origin: ${origin}\r\n` : '') + '\r\n',
        () => socket.resetAndDestroy(),
      );
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

describe('a client that resets a refused WebSocket upgrade', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({ ALLOWED_ORIGINS: 'http://app.example' });
  });
  afterAll(() => gateway.stop());

  it('never ends the process, however often it does it', async () => {
    const port = Number(new URL(gateway.url).port);
    const rssBefore = await gateway.rssAfterGc();
    const healthz = await slowestHealthzDuring(gateway, async () => {
      for (let round = 0; round < 20; round++) {
        await Promise.all(Array.from({ length: 50 }, (_, i) =>
          i % 2 === 0 ? upgradeAndReset(port, '/wrong') : upgradeAndReset(port, '/graphql', 'http://evil.example')));
      }
    });
    expect(alive(gateway), gateway.log()).toBe(true);
    expect(healthz.slowest, `slowest /healthz (idle: ${healthz.baseline.toFixed(0)} ms)`).toBeLessThan(healthz.allowed);
    expect(await gateway.healthz(healthz.allowed)).toBeLessThan(healthz.allowed);
    expect(gateway.log()).not.toMatch(/uncaughtException/);
    expect(await gateway.rssAfterGc()).toBeLessThan(rssBefore * 1.2);
  });
});
