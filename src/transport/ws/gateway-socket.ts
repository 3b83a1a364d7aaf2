// The gateway's WebSocket: ws's own, made by the server through its
// `WebSocket` option. Every close goes through close(), the one ws starts
// itself when the client's close frame arrives included: that is where the
// socket's operations end, not when the closing handshake does (a client that
// sent its close frame and stopped reading would hold its generations until
// ws's 30 s close timeout), where a reason is cut to fit its frame
// (graphql-ws puts operation ids in some), and where a peer that does not
// answer the close frame is cut off.
import { WebSocket } from 'ws';
import { fitCloseReason } from './messages.ts';

/**
 * Time a peer has to answer the close frame. ws would wait 30 s, holding the
 * socket and its unread output for a client that never answers; a client that
 * reads answers within a round trip.
 */
export const CLOSE_HANDSHAKE_MS = 2_000;

export class GatewaySocket extends WebSocket {
  readonly #closing = new AbortController();
  /** Aborts once the socket starts to close, whoever started it (a terminated socket only emits 'close'). */
  readonly closing: AbortSignal = this.#closing.signal;
  #cutOff: NodeJS.Timeout | undefined;

  override close(code?: number, reason?: string | Buffer): void {
    this.#closing.abort();
    super.close(code, typeof reason === 'string' ? fitCloseReason(reason) : reason);
    if (this.#cutOff === undefined && this.readyState === this.CLOSING) {
      this.#cutOff = setTimeout(() => this.terminate(), CLOSE_HANDSHAKE_MS).unref();
      this.once('close', () => clearTimeout(this.#cutOff));
    }
  }
}
