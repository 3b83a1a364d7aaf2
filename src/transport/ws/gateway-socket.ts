// The gateway's WebSocket: ws's own, made by the server through its
// `WebSocket` option. Every close goes through close(), the one ws starts
// itself when the client's close frame arrives included: that is where the
// socket's operations end, not when the closing handshake does (a client that
// sent its close frame and stopped reading would hold its generations until
// ws's 30 s close timeout), and where a reason is cut to fit its frame
// (graphql-ws puts operation ids in some).
import { WebSocket } from 'ws';
import { fitCloseReason } from './messages.ts';

export class GatewaySocket extends WebSocket {
  readonly #closing = new AbortController();
  /** Aborts once the socket starts to close, whoever started it (a terminated socket only emits 'close'). */
  readonly closing: AbortSignal = this.#closing.signal;

  override close(code?: number, reason?: string | Buffer): void {
    this.#closing.abort();
    super.close(code, typeof reason === 'string' ? fitCloseReason(reason) : reason);
  }
}
