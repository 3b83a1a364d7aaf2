// How often a socket may ping. Each graphql-ws ping is answered with a pong
// (pong.ts bounds its size, not how many) and each WebSocket ping frame with
// ws's own; a keyed client that pings without pause kept the gateway parsing
// and writing pongs as fast as its link carried pings. graphql-ws clients ping
// once per keep-alive, seconds apart, and wait for the pong before the next:
// a burst and a sustained rate well above that hold a flood to a few small
// pongs a second and never touch them. Past the bound the socket is closed
// (1008), as a flood before connection_init is, and nothing more of it is read.
import type { Socket } from 'node:net';
import { POLICY_VIOLATION } from './before-init.ts';
import type { GatewaySocket } from './gateway-socket.ts';

/** Pings a socket may send at once, with none before. */
export const PING_BURST = 20;
/** Pings a socket may send per second, sustained. */
export const PINGS_PER_SECOND = 5;

/**
 * Counts the pings of `socket` (graphql-ws's, through the returned check, and
 * WebSocket ping frames) in a token bucket; the check answers whether a pong
 * may go, and closes the socket the first time one may not.
 */
export function limitPings(socket: GatewaySocket, tcp: Socket): () => boolean {
  let tokens = PING_BURST;
  let at = performance.now();
  const pinged = (): boolean => {
    if (socket.readyState !== socket.OPEN) return false;
    const now = performance.now();
    tokens = Math.min(PING_BURST, tokens + ((now - at) * PINGS_PER_SECOND) / 1000);
    at = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    socket.close(POLICY_VIOLATION, `too many pings: more than ${PINGS_PER_SECOND} a second`);
    // Its close frame is not awaited either: GatewaySocket.close cuts it off.
    tcp.pause();
    return false;
  };
  // ws has answered the frame already; the count closes a flood of them all the same.
  socket.on('ping', pinged);
  return pinged;
}
