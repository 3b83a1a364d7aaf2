// How an operation's client left, as far as the layers below the transport
// need to know it: its transport was lost (a socket closed or reset, an HTTP
// connection dropped), or it said stop. A resumable stream outlives the first
// and ends at the second; the transport makes these reasons, the stream reads them.

/** The operation signal's reason when the client hung up an HTTP (SSE) connection. */
export const CONNECTION_DROPPED = new DOMException('the client disconnected', 'AbortError');
/** The operation signal's reason when the operation's WebSocket closed. */
export const SOCKET_CLOSED = new DOMException('the WebSocket closed', 'AbortError');

/** Whether an operation ended with `reason` lost its transport rather than asked to stop. */
export function isTransportLost(reason: unknown): boolean {
  return reason === CONNECTION_DROPPED || reason === SOCKET_CLOSED;
}
