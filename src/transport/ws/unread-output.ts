// A client that does not read what the gateway writes: every frame for it
// waits in the process's memory (ws's bufferedAmount: the TCP socket's
// writable length and ws's own queue), without bound while it keeps the socket
// alive (an unsolicited pong answers every keep-alive ping, read or not).
// Past the bound it is closed with 1009: its operations end with the close,
// their upstream requests too, and a close frame it does not read either is
// followed by the cut-off of GatewaySocket.close.
import type { GatewaySocket } from './gateway-socket.ts';

export const MESSAGE_TOO_BIG = 1009;

/** A check to run after each write to `socket`: it closes a socket whose unread output passed `maxBytes`. */
export function unreadOutputLimit(socket: GatewaySocket, maxBytes: number): () => void {
  return () => {
    if (socket.readyState === socket.OPEN && socket.bufferedAmount > maxBytes) {
      socket.close(MESSAGE_TOO_BIG, 'the client does not read its messages');
    }
  };
}
