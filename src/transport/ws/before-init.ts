// What a socket may send before its connection is acknowledged: anyone who
// reaches the port can open one, key or not. graphql-ws reads and answers
// every message from the start (a ping's payload, up to the 1 MiB a message may
// hold, came back in its pong), so reconnecting sockets that never sent
// connection_init could keep the gateway parsing and writing megabytes. Their
// bytes are counted as they arrive, frames unfinished included; past the bound
// the socket is closed (1008) and nothing more of it is read.
import type { Socket } from 'node:net';
import type { GatewaySocket } from './gateway-socket.ts';

/** Room for a connection_init with its key, and a few pings before it. */
export const BEFORE_INIT_MAX_BYTES = 16_384;

export const POLICY_VIOLATION = 1008;

/** Counts what `tcp` reads until acknowledged() is called; returns that call. */
export function limitBeforeInit(socket: GatewaySocket, tcp: Socket, maxBytes = BEFORE_INIT_MAX_BYTES): { acknowledged(): void } {
  let read = 0;
  const count = (chunk: Buffer) => {
    read += chunk.length;
    if (read <= maxBytes) return;
    tcp.off('data', count);
    socket.close(POLICY_VIOLATION, 'too much sent before connection_init');
    // Its close frame is not awaited either: GatewaySocket.close cuts it off.
    tcp.pause();
  };
  tcp.on('data', count);
  socket.once('close', () => tcp.off('data', count));
  return { acknowledged: () => tcp.off('data', count) };
}
