// What one TCP connection may hold of the process: a cap on open connections
// in all and per peer address (each holds a file descriptor and buffers, and
// idle ones cost a client nothing), and node:http's timeouts tightened so that
// a client that trickles its headers or body, or idles between requests, lets
// go of its connection. A WebSocket is the connection it was upgraded from, so
// it counts until it closes.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../../config/index.ts';

/** How often node:http looks for requests past their timeouts (its default, 30 s, would double a 30 s budget). */
const TIMEOUT_CHECK_MS = 1000;

/** The options node:http takes at creation, for `createServer`. */
export function timeoutOptions(limits: ConnectionLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, limits.headersTimeoutMs),
  };
}

/**
 * Caps `server`'s connections. The total is node's own `maxConnections` (a
 * connection past it is closed at accept, before any byte is read); the cap
 * per address counts by the TCP peer, never a forwarded header, which any
 * client could set. With WORKERS=N each worker holds its share of both caps:
 * the primary hands connections to workers in turn, so one address's
 * connections spread evenly and N shares add up to the configured cap.
 */
export function limitConnections(server: Server, limits: ConnectionLimits, workers = 1): void {
  server.maxConnections = shareOf(limits.maxConnections, workers);
  const maxPerAddress = shareOf(limits.maxPerAddress, workers);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function shareOf(cap: number, workers: number): number {
  return Math.max(1, Math.ceil(cap / workers));
}
